using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Compute.Engine;
using Edgeplane.Testing;
using Edgeplane.Testing.Conformance;

namespace Edgeplane.Plugins.Compute.Tests;

/// <summary>The plugin end to end on SQLite (the default database).</summary>
public sealed class ComputeApiSqliteTests(SqliteComputeHost compute) : ComputeApiTests(compute), IClassFixture<SqliteComputeHost>;

/// <summary>The same scenarios with the host on a real PostgreSQL server.</summary>
public sealed class ComputeApiPostgresTests(PostgresComputeHost compute) : ComputeApiTests(compute), IClassFixture<PostgresComputeHost>;

/// <summary>The plugin end to end: real host, real podman engine, real containers on 127.0.0.1.</summary>
public abstract class ComputeApiTests(ComputeHost compute)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private HttpClient Admin => compute.Admin;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task<JsonObject> DeployAsync(object body, HttpClient? client = null) =>
        await ComputeHost.Created(await (client ?? Admin).PostAsJsonAsync("/compute/api/instances/deploy", body, Ct));

    private async Task<JsonObject> GetInstanceAsync(string id, HttpClient? client = null)
    {
        using var response = await (client ?? Admin).PostAsJsonAsync("/compute/api/getInstance", new { id }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<JsonObject> WaitForStateAsync(string id, string state, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject instance;
        do
        {
            instance = await GetInstanceAsync(id);
            if ((string?)instance["state"] == state) return instance;
            await Task.Delay(100, Ct);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"instance {id} did not become {state} within {seconds} s: {instance.ToJsonString()}\n{compute.Host.Output[^Math.Min(3000, compute.Host.Output.Length)..]}");
        return instance;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
        if (field is not null)
            Assert.True(JsonNode.Parse(text)!["errors"]?[field] is not null, $"no error for '{field}': {text}");
    }

    private async Task<int> EngineContainerCountAsync()
    {
        using var engine = compute.Podman.Client();
        return (await engine.ListContainersAsync(cancellationToken: Ct)).Count;
    }

    [Fact]
    public async Task Nodes_report_the_engine_and_bad_or_unreachable_nodes_are_refused()
    {
        compute.SkipIfUnavailable();
        var nodes = (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/nodes", Ct))!;
        var local = nodes.Single(n => (string?)n!["id"] == compute.NodeId)!;
        Assert.Equal("up", (string?)local["status"]);
        Assert.StartsWith("Podman Engine", (string?)local["engine"]);
        Assert.Equal(["test", "podman"], local["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(2L * 1024 * 1024 * 1024, (long)local["ramBytes"]!);

        using (var missing = await Admin.PostAsJsonAsync("/compute/api/nodes/create", new { name = "x" }, Ct))
        {
            await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "ram");
            var errors = JsonNode.Parse(await missing.Content.ReadAsStringAsync(Ct))!["errors"]!.AsObject();
            Assert.True(errors.ContainsKey("disk") && errors.ContainsKey("processor") && errors.ContainsKey("address"), errors.ToJsonString());
        }
        using (var badRam = await Admin.PostAsJsonAsync("/compute/api/nodes/create", new { name = "x", ram = "lots", disk = "1g", processor = "1", address = compute.Podman.Address }, Ct))
            await AssertProblemAsync(badRam, HttpStatusCode.BadRequest, "ram");
        using (var noPort = await Admin.PostAsJsonAsync("/compute/api/nodes/create", new { name = "x", ram = "1g", disk = "1g", processor = "1", address = "127.0.0.1" }, Ct))
            await AssertProblemAsync(noPort, HttpStatusCode.BadRequest, "port");
        using (var unreachable = await Admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = "x", ram = "1g", disk = "1g", processor = "1", address = "127.0.0.1", port = FreePort.Next().ToString(), tls = false }, Ct))
            await AssertProblemAsync(unreachable, HttpStatusCode.BadRequest, "address");
        using (var duplicate = await Admin.PostAsJsonAsync("/compute/api/nodes/create", new { name = "local", ram = "1g", disk = "1g", processor = "1", address = compute.Podman.Address }, Ct))
            await AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        Assert.Equal(nodes.Count, (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/nodes", Ct))!.Count);

        using var unknown = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/nodes/delete") { Content = JsonContent.Create(new { nodeId = "nope" }) }, Ct);
        await AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "nodeId");
    }

    [Fact]
    public async Task Registering_a_node_lists_its_engines_local_images_in_the_catalog()
    {
        compute.SkipIfUnavailable();
        static IEnumerable<JsonNode> Local(JsonArray catalog) => catalog.Where(i => (string?)i!["name"] == PodmanEngine.TestImage).Select(i => i!);
        var imported = Assert.Single(Local((await Admin.GetFromJsonAsync<JsonArray>("/compute/api/images", Ct))!));
        Assert.Equal(PodmanEngine.TestImage, (string?)imported["reference"]);
        Assert.Equal(256L * 1024 * 1024, (long)imported["memoryBytes"]!);
        Assert.Contains("local", (string?)imported["description"]);

        // Another node on the same engine adds nothing twice; the catalog entry is managed like any other.
        var node = await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = Unique("again"), ram = "1g", disk = "1g", processor = "1", address = compute.Podman.Address }, Ct));
        Assert.Single(Local((await Admin.GetFromJsonAsync<JsonArray>("/compute/api/images", Ct))!));
        using (var deleted = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/images/delete") { Content = JsonContent.Create(new { id = (string)imported["id"]! }) }, Ct))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
        Assert.Empty(Local((await Admin.GetFromJsonAsync<JsonArray>("/compute/api/images", Ct))!));
        using var nodeDeleted = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/nodes/delete") { Content = JsonContent.Create(new { nodeId = (string)node["id"]! }) }, Ct);
        Assert.Equal(HttpStatusCode.Created, nodeDeleted.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_team_removes_its_instances_rows_and_containers()
    {
        compute.SkipIfUnavailable();
        string[] instances = [];
        var leftovers = await TeamDeletion.LeftoversAsync(compute.Host, async team =>
        {
            var running = (string)(await DeployAsync(new { image = "busybox", memory = "32m", cpu = "0.1", ports = "80", nodeId = compute.NodeId, name = Unique("doomed") }, team.Key))["id"]!;
            var deleted = (string)(await DeployAsync(new { image = "busybox", memory = "32m", cpu = "0.1", nodeId = compute.NodeId, name = Unique("gone") }, team.Key))["id"]!;
            await WaitForStateAsync(running, "running");
            await WaitForStateAsync(deleted, "running");
            using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/compute/api/instance/delete") { Content = JsonContent.Create(new { id = deleted }) })
                await ComputeHost.Created(await team.Key.SendAsync(delete, Ct));
            return instances = [running, deleted];
        }, cancellationToken: Ct);

        Assert.True(leftovers.Count == 0, string.Join("\n", leftovers));
        using var engine = compute.Podman.Client();
        var containers = await engine.ListContainersAsync(cancellationToken: Ct);
        Assert.DoesNotContain(containers, c => instances.Contains(c.Labels?.GetValueOrDefault("edgeplane.compute.instance")));
    }

    [Fact]
    public async Task Deploys_a_real_container_power_cycles_it_reads_logs_and_stats_and_deletes_it()
    {
        compute.SkipIfUnavailable();
        var hostPort = FreePort.Next();
        var name = Unique("web");
        var deployed = await DeployAsync(new { image = "busybox", memory = "96m", cpu = "0.25", ports = $"{hostPort}:80", nodeId = compute.NodeId, name, primary = "80" });
        var id = (string)deployed["id"]!;
        Assert.Equal("deploying", (string?)deployed["state"]);
        Assert.Equal($"http://127.0.0.1:{hostPort}/", (string?)deployed["url"]);

        var running = await WaitForStateAsync(id, "running");
        var containerId = (string)running["containerId"]!;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Contains("edgeplane compute test page", await Engine.DockerEngineClientTests.GetWithRetryAsync(http, $"http://127.0.0.1:{hostPort}/"));

        // The limits, port binding and label the engine itself reports.
        using var engine = compute.Podman.Client();
        var inspect = (await engine.InspectContainerAsync(containerId, Ct))!;
        Assert.Equal(96L * 1024 * 1024, inspect.HostConfig!.Memory);
        Assert.Equal(250_000_000, inspect.HostConfig.NanoCpus);
        Assert.Equal(id, inspect.Config!.Labels!["edgeplane.compute.instance"]);
        Assert.Equal(("127.0.0.1", hostPort.ToString()), (inspect.NetworkSettings!.Ports!["80/tcp"]![0].HostIp, inspect.NetworkSettings.Ports["80/tcp"]![0].HostPort));

        // The deploy is counted in the host's Prometheus exposition.
        var metrics = await Admin.GetStringAsync("/metrics", Ct);
        Assert.Matches(@"(?m)^edgeplane_compute_deploys_total\{result=""running""\} [1-9]", metrics);
        Assert.Contains("edgeplane_compute_deploy_seconds_bucket", metrics);

        var stats = (await Admin.GetFromJsonAsync<JsonObject>($"/compute/api/instances/{id}/stats", Ct))!;
        Assert.Equal(96UL * 1024 * 1024, (ulong)stats["memoryLimitBytes"]!);
        Assert.True((ulong)stats["memoryUsageBytes"]! > 0);

        // Power actions.
        var stopped = await ComputeApi(HttpMethod.Post, $"/compute/api/instances/{id}/stop");
        Assert.Equal("stopped", (string?)stopped["state"]);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{hostPort}/", Ct));
        using (var statsWhileStopped = await Admin.GetAsync($"/compute/api/instances/{id}/stats", Ct))
            await AssertProblemAsync(statsWhileStopped, HttpStatusCode.Conflict);
        Assert.Equal("running", (string?)(await ComputeApi(HttpMethod.Post, $"/compute/api/instances/{id}/start"))["state"]);
        Assert.Contains("edgeplane compute test page", await Engine.DockerEngineClientTests.GetWithRetryAsync(http, $"http://127.0.0.1:{hostPort}/"));
        Assert.Equal("running", (string?)(await ComputeApi(HttpMethod.Post, $"/compute/api/instances/{id}/restart"))["state"]);
        Assert.Contains("edgeplane compute test page", await Engine.DockerEngineClientTests.GetWithRetryAsync(http, $"http://127.0.0.1:{hostPort}/"));
        var killed = await ComputeApi(HttpMethod.Post, $"/compute/api/instances/{id}/kill");
        Assert.Equal("stopped", (string?)killed["state"]);
        Assert.Equal(137, (int)killed["exitCode"]!);
        // Stays stopped through reconciliation (the user asked for it).
        await Task.Delay(1500, Ct);
        Assert.Equal("stopped", (string?)(await GetInstanceAsync(id))["state"]);
        using (var badAction = await Admin.PostAsync($"/compute/api/instances/{id}/explode", null, Ct))
            await AssertProblemAsync(badAction, HttpStatusCode.NotFound);

        Assert.Equal("running", (string?)(await ComputeApi(HttpMethod.Post, $"/compute/api/instances/{id}/start"))["state"]);

        // Delete: container gone from the engine, port free, idempotent.
        using (var deleted = await DeleteInstanceAsync(id))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
        Assert.Null(await engine.InspectContainerAsync(containerId, Ct));
        Assert.Empty(await engine.ListContainersAsync($"edgeplane.compute.instance={id}", cancellationToken: Ct));
        using (var again = await DeleteInstanceAsync(id))
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        using (var gone = await Admin.PostAsJsonAsync("/compute/api/getInstance", new { id }, Ct))
            await AssertProblemAsync(gone, HttpStatusCode.BadRequest, "id");
        // The port is free again for another deploy.
        var reuse = await DeployAsync(new { image = "busybox", ports = $"{hostPort}:80", name = Unique("reuse") });
        await WaitForStateAsync((string)reuse["id"]!, "running");
        (await DeleteInstanceAsync((string)reuse["id"]!)).Dispose();
    }

    [Fact]
    public async Task Logs_stream_stdout_and_stderr_and_follow_new_lines()
    {
        compute.SkipIfUnavailable();
        var image = Unique("chatty");
        await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/images/create", new
        {
            name = image,
            reference = PodmanEngine.TestImage,
            memory = "32m",
            cpu = "0.1",
            command = new[] { "/bin/sh", "-c", "echo hello-out; echo hello-err >&2; i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done" },
        }, Ct));
        var id = (string)(await DeployAsync(new { image, name = Unique("chatty") }))["id"]!;
        await WaitForStateAsync(id, "running");

        string logs = "";
        for (var i = 0; i < 50 && !logs.Contains("tick-1"); i++)
        {
            logs = await Admin.GetStringAsync($"/compute/api/instances/{id}/logs?tail=1000", Ct);
            await Task.Delay(100, Ct);
        }
        Assert.Contains("hello-out\n", logs);
        Assert.Contains("hello-err\n", logs);

        using var follow = await Admin.GetAsync($"/compute/api/instances/{id}/logs?tail=0&follow=true", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, follow.StatusCode);
        using var reader = new StreamReader(await follow.Content.ReadAsStreamAsync(Ct));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var first = await reader.ReadLineAsync(timeout.Token);
        var second = await reader.ReadLineAsync(timeout.Token);
        Assert.StartsWith("tick-", first);
        Assert.Equal(int.Parse(first!["tick-".Length..]) + 1, int.Parse(second!["tick-".Length..]));
        (await DeleteInstanceAsync(id)).Dispose();
    }

    [Fact]
    public async Task Reconciles_containers_killed_or_removed_behind_the_plugins_back()
    {
        compute.SkipIfUnavailable();
        var id = (string)(await DeployAsync(new { image = "busybox", ports = "80", name = Unique("victim") }))["id"]!;
        var running = await WaitForStateAsync(id, "running");
        var hostPort = (int)running["ports"]![0]!["hostPort"]!;
        Assert.InRange(hostPort, 20000, 29999);
        var containerId = (string)running["containerId"]!;

        var (code, output) = await compute.Podman.PodmanAsync("kill", containerId);
        Assert.True(code == 0, output);
        var exited = await WaitForStateAsync(id, "exited");
        Assert.Equal(137, (int)exited["exitCode"]!);
        Assert.Contains("137", (string?)exited["message"]);

        Assert.Equal("running", (string?)(await ComputeApi(HttpMethod.Post, $"/compute/api/instances/{id}/start"))["state"]);
        (code, output) = await compute.Podman.PodmanAsync("rm", "-f", "-t", "0", containerId);
        Assert.True(code == 0, output);
        await WaitForStateAsync(id, "missing");

        using (var start = await Admin.PostAsync($"/compute/api/instances/{id}/start", null, Ct))
            await AssertProblemAsync(start, HttpStatusCode.Conflict);
        using (var deleted = await DeleteInstanceAsync(id))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
    }

    [Fact]
    public async Task An_unreachable_node_shows_its_instances_unknown_until_it_comes_back()
    {
        compute.SkipIfUnavailable();
        // A second node: another API service over the same storage, which the test stops and starts.
        var socket = Path.Combine(Path.GetTempPath(), $"edgeplane-compute-{Guid.NewGuid():N}.sock");
        var service = await compute.Podman.ServeAsync(socket);
        try
        {
            var node = await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/nodes/create",
                new { name = Unique("flaky"), ram = "512m", disk = "1g", processor = "1", address = "unix://" + socket }, Ct));
            var nodeId = (string)node["id"]!;
            var id = (string)(await DeployAsync(new { image = "busybox", nodeId, name = Unique("onflaky") }))["id"]!;
            await WaitForStateAsync(id, "running");

            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync(Ct);
            File.Delete(socket);
            var unknown = await WaitForStateAsync(id, "unknown");
            Assert.Contains("unreachable", (string?)unknown["message"]);
            var down = (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/nodes", Ct))!.Single(n => (string?)n!["id"] == nodeId)!;
            Assert.Equal("down", (string?)down["status"]);
            using (var refused = await Admin.PostAsJsonAsync("/compute/api/instances/deploy", new { image = "busybox", nodeId, name = Unique("nope") }, Ct))
                await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "nodeId");

            service.Dispose();
            service = await compute.Podman.ServeAsync(socket);
            await WaitForStateAsync(id, "running");

            // A node with instances is only deleted when forced; forcing removes its containers.
            using (var refusedDelete = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/nodes/delete") { Content = JsonContent.Create(new { nodeId }) }, Ct))
                await AssertProblemAsync(refusedDelete, HttpStatusCode.Conflict);
            using (var forced = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/nodes/delete") { Content = JsonContent.Create(new { nodeId, force = true }) }, Ct))
                Assert.Equal(HttpStatusCode.Created, forced.StatusCode);
            using var engine = compute.Podman.Client();
            Assert.Empty(await engine.ListContainersAsync($"edgeplane.compute.instance={id}", cancellationToken: Ct));
        }
        finally
        {
            if (!service.HasExited) service.Kill(entireProcessTree: true);
            service.Dispose();
            File.Delete(socket);
        }
    }

    [Fact]
    public async Task A_remote_node_over_tls_reports_its_engine_and_runs_instances()
    {
        compute.SkipIfUnavailable();
        var tunnel = compute.TlsEngine!;
        var node = await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = Unique("remote"), ram = "1g", disk = "5g", processor = "1", address = "127.0.0.1", port = tunnel.Port.ToString() }, Ct));
        Assert.True((bool)node["tls"]!);
        Assert.StartsWith("Podman Engine", (string?)node["engine"]);
        var nodeId = (string)node["id"]!;
        var hostPort = FreePort.Next();
        var id = (string)(await DeployAsync(new { image = "busybox", nodeId, ports = $"{hostPort}:80", name = Unique("overtls") }))["id"]!;
        await WaitForStateAsync(id, "running");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Contains("edgeplane compute test page", await Engine.DockerEngineClientTests.GetWithRetryAsync(http, $"http://127.0.0.1:{hostPort}/"));
        using (var deleted = await DeleteInstanceAsync(id))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
        using (var nodeDeleted = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/nodes/delete") { Content = JsonContent.Create(new { nodeId }) }, Ct))
            Assert.Equal(HttpStatusCode.Created, nodeDeleted.StatusCode);

        // Plain TCP to a TLS engine is not a node.
        using var plain = await Admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = Unique("plain"), ram = "1g", disk = "5g", processor = "1", address = "127.0.0.1", port = tunnel.Port.ToString(), tls = false }, Ct);
        await AssertProblemAsync(plain, HttpStatusCode.BadRequest, "address");
    }

    [Fact]
    public async Task Concurrent_deploys_never_share_a_port_or_overcommit_a_node()
    {
        compute.SkipIfUnavailable();
        var node = await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/nodes/create",
            new { name = Unique("tiny"), ram = "256m", disk = "1g", processor = "2", address = compute.Podman.Address }, Ct));
        var nodeId = (string)node["id"]!;

        // Eight deploys race for one host port: exactly one gets it.
        var port = FreePort.Next();
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Admin.PostAsJsonAsync("/compute/api/instances/deploy", new { image = "busybox", memory = "32m", cpu = "0.1", nodeId, ports = $"{port}:80", name = Unique("race") }, Ct)));
        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var loser in racing.Where(r => r.StatusCode != HttpStatusCode.Created))
            await AssertProblemAsync(loser, HttpStatusCode.BadRequest, "ports");
        var winner = (string)(await racing.Single(r => r.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;

        // 256m declared, 32m taken: of seven 64m deploys at once, three fit.
        var filling = await Task.WhenAll(Enumerable.Range(0, 7).Select(i =>
            Admin.PostAsJsonAsync("/compute/api/instances/deploy", new { image = "busybox", memory = "64m", cpu = "0.1", nodeId, name = Unique("fill") }, Ct)));
        var created = filling.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.Equal(3, created.Count);
        foreach (var refused in filling.Where(r => r.StatusCode != HttpStatusCode.Created))
            await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "memory");
        var allocated = (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/nodes", Ct))!.Single(n => (string?)n!["id"] == nodeId)!["allocated"]!;
        Assert.Equal(224L * 1024 * 1024, (long)allocated["memoryBytes"]!);

        var ids = new List<string> { winner };
        foreach (var response in created) ids.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!);
        foreach (var id in ids) await WaitForStateAsync(id, "running");
        foreach (var id in ids) (await DeleteInstanceAsync(id)).Dispose();
        foreach (var response in racing.Concat(filling)) response.Dispose();
        using (var deleted = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/nodes/delete") { Content = JsonContent.Create(new { nodeId }) }, Ct))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
    }

    [Fact]
    public async Task Every_route_is_in_the_hosts_openapi_document()
    {
        compute.SkipIfUnavailable();
        using var response = await Admin.GetAsync("/openapi/v1.json", Ct);
        if (response.StatusCode == HttpStatusCode.NotFound) Assert.Skip("the host does not serve /openapi/v1.json yet (Swashbuckle is not wired on main)");
        response.EnsureSuccessStatusCode();
        var document = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        foreach (var path in new[]
        {
            "/compute/api/instances", "/compute/api/instances/deploy", "/compute/api/instance/delete", "/compute/api/getUserInstance",
            "/compute/api/getInstance", "/compute/api/images", "/compute/api/nodes", "/compute/api/nodes/create", "/compute/api/nodes/delete",
            "/compute/api/users", "/compute/api/getUser", "/compute/api/users/create", "/compute/api/instances/{id}/logs",
        })
            Assert.Contains(path, paths);
    }

    [Fact]
    public async Task A_host_port_the_plugin_chose_that_something_else_holds_on_the_node_is_replaced_by_a_free_one()
    {
        compute.SkipIfUnavailable();
        // A range of two ports whose first is held by a listener the plugin knows nothing about
        // (another program, or another control plane sharing the engine).
        var (squatter, first) = ListenerWithAFreeNeighbour();
        using var _ = squatter;
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Compute"],
            Environment = new(compute.Environment)
            {
                ["Edgeplane__Bootstrap__AdminApiKey"] = compute.Host.AdminKey,
                ["Edgeplane__Plugins__compute__PortRange"] = $"{first}-{first + 1}",
            },
        });
        using var client = compute.KeyClient(compute.Host.AdminKey);
        client.BaseAddress = host.BaseAddress;

        var id = (string)(await DeployAsync(new { image = "busybox", ports = "80", name = Unique("moved") }, client))["id"]!;
        var running = await WaitForStateAsync(id, "running");
        Assert.Equal(first + 1, (int)running["ports"]![0]!["hostPort"]!);
        Assert.Equal($"http://127.0.0.1:{first + 1}/", (string?)running["url"]);
        using var http = new HttpClient();
        Assert.Contains("edgeplane compute test page", await Engine.DockerEngineClientTests.GetWithRetryAsync(http, $"http://127.0.0.1:{first + 1}/"));

        // With both ports of the range in use, the deploy fails saying so and holds no port.
        var second = (string)(await DeployAsync(new { image = "busybox", ports = "80", name = Unique("nofree") }, client))["id"]!;
        var failed = await WaitForStateAsync(second, "failed");
        Assert.Contains($"no free host port left in {first}-{first + 1}", (string?)failed["message"]);
        (await DeleteInstanceAsync(id)).Dispose();
        (await DeleteInstanceAsync(second)).Dispose();

        static (TcpListener Listener, int Port) ListenerWithAFreeNeighbour()
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                try
                {
                    using var probe = new TcpListener(IPAddress.Loopback, port + 1);
                    probe.Start();
                    return (listener, port);
                }
                catch (SocketException)
                {
                    listener.Stop();
                }
            }
        }
    }

    [Fact]
    public async Task Two_hosts_on_one_database_serve_the_same_instances_and_reconcile_once()
    {
        compute.SkipIfUnavailable();
        await using var second = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Compute"],
            Environment = new(compute.Environment) { ["Edgeplane__Bootstrap__AdminApiKey"] = compute.Host.AdminKey },
        });
        using var viaSecond = compute.KeyClient(compute.Host.AdminKey);
        viaSecond.BaseAddress = second.BaseAddress;

        // Accepted by the second host, deployed by its worker, seen running through the first.
        var id = (string)(await DeployAsync(new { image = "busybox", name = Unique("shared") }, viaSecond))["id"]!;
        var running = await WaitForStateAsync(id, "running");

        // Killed behind both hosts' backs: reconciled once, by whichever host holds the lease.
        var (code, output) = await compute.Podman.PodmanAsync("kill", (string)running["containerId"]!);
        Assert.True(code == 0, output);
        await WaitForStateAsync(id, "exited");
        await Task.Delay(2500, Ct); // a few more reconciliation rounds on both hosts
        var line = $"Instance {id} is exited (was running)";
        var reports = Count(compute.Host.Output, line) + Count(second.Output, line);
        Assert.True(reports == 1, $"the state change was reported {reports} times:\n{compute.Host.Output}\n---\n{second.Output}");

        using (var deleted = await viaSecond.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/instance/delete") { Content = JsonContent.Create(new { id }) }, Ct))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
        using (var gone = await Admin.PostAsJsonAsync("/compute/api/getInstance", new { id }, Ct))
            await AssertProblemAsync(gone, HttpStatusCode.BadRequest, "id");

        static int Count(string text, string needle) => (text.Length - text.Replace(needle, "").Length) / needle.Length;
    }

    [Fact]
    public async Task Bad_deploys_are_refused_naming_the_field_and_create_nothing_on_the_engine()
    {
        compute.SkipIfUnavailable();
        var before = await EngineContainerCountAsync();
        var taken = FreePort.Next();
        var holder = (string)(await DeployAsync(new { image = "busybox", ports = $"{taken}:80", name = Unique("holder") }))["id"]!;
        await WaitForStateAsync(holder, "running");

        (object Body, string Field)[] cases =
        [
            (new { name = Unique("a") }, "image"),
            (new { image = "busybox" }, "name"),
            (new { image = "nginx:latest", name = Unique("a") }, "image"),
            (new { image = "busybox", name = Unique("a"), memory = "lots" }, "memory"),
            (new { image = "busybox", name = Unique("a"), memory = "1m" }, "memory"),
            (new { image = "busybox", name = Unique("a"), cpu = "-1" }, "cpu"),
            (new { image = "busybox", name = Unique("a"), cpu = "fast" }, "cpu"),
            (new { image = "busybox", name = Unique("a"), ports = "80:eighty" }, "ports"),
            (new { image = "busybox", name = Unique("a"), ports = "99999:80" }, "ports"),
            (new { image = "busybox", name = Unique("a"), ports = $"{taken}:80" }, "ports"),
            (new { image = "busybox", name = Unique("a"), ports = "8080:80", primary = "81" }, "primary"),
            (new { image = "busybox", name = Unique("a"), nodeId = "no-such-node" }, "nodeId"),
            (new { image = "busybox", name = Unique("a"), memory = "3g", nodeId = compute.NodeId }, "memory"),
            (new { image = "busybox", name = Unique("a"), cpu = "3", nodeId = compute.NodeId }, "cpu"),
            (new { image = "busybox", name = Unique("a"), user = "nobody-at-all" }, "user"),
            (new { image = "busybox", name = "bad name!" }, "name"),
        ];
        foreach (var (body, field) in cases)
        {
            using var response = await Admin.PostAsJsonAsync("/compute/api/instances/deploy", body, Ct);
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        }
        using (var notJson = await Admin.PostAsync("/compute/api/instances/deploy", new StringContent("{nope", System.Text.Encoding.UTF8, "application/json"), Ct))
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        using (var missingId = await DeleteInstanceAsync(null))
            await AssertProblemAsync(missingId, HttpStatusCode.BadRequest, "id");
        using (var unknownId = await DeleteInstanceAsync("0123456789abcdefghjkmnpqrs"))
            await AssertProblemAsync(unknownId, HttpStatusCode.BadRequest, "id");

        Assert.Equal(before + 1, await EngineContainerCountAsync());
        (await DeleteInstanceAsync(holder)).Dispose();
        Assert.Equal(before, await EngineContainerCountAsync());
    }

    [Fact]
    public async Task Engine_failures_end_in_failed_with_the_engines_message_and_leave_no_container()
    {
        compute.SkipIfUnavailable();
        var before = await EngineContainerCountAsync();

        // A host port something else already listens on: the engine refuses to start.
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var busy = (string)(await DeployAsync(new { image = "busybox", ports = $"{port}:80", name = Unique("busy") }))["id"]!;
        var failed = await WaitForStateAsync(busy, "failed");
        Assert.Contains("address already in use", (string?)failed["message"]);

        // An image in the catalog the node does not have and cannot pull (a registry port on loopback nobody serves).
        var image = Unique("unpullable");
        await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/images/create", new { name = image, reference = $"127.0.0.1:{FreePort.Next()}/edgeplane/none:1" }, Ct));
        var unpullable = (string)(await DeployAsync(new { image, name = Unique("nopull") }))["id"]!;
        failed = await WaitForStateAsync(unpullable, "failed");
        Assert.False(string.IsNullOrWhiteSpace((string?)failed["message"]));

        Assert.Equal(before, await EngineContainerCountAsync());
        // Failed instances hold no capacity or quota and delete cleanly.
        (await DeleteInstanceAsync(busy)).Dispose();
        (await DeleteInstanceAsync(unpullable)).Dispose();
    }

    [Fact]
    public async Task Teams_see_only_their_instances_roles_gate_writes_and_quota_limits_each_user()
    {
        compute.SkipIfUnavailable();
        using var identity = await IdentityClient.SignInAsAdminAsync(compute.Host);
        var teamA = await identity.CreateTeamAsync(Unique("team-a"));
        var teamB = await identity.CreateTeamAsync(Unique("team-b"));
        using var operatorA = compute.KeyClient(await identity.KeyForNewMemberAsync(teamA, "operator"));
        using var viewerA = compute.KeyClient(await identity.KeyForNewMemberAsync(teamA, "viewer"));
        using var operatorB = compute.KeyClient(await identity.KeyForNewMemberAsync(teamB, "operator"));

        var mine = await DeployAsync(new { image = "busybox", memory = "1g", name = Unique("mine") }, operatorA);
        var id = (string)mine["id"]!;
        Assert.Equal(teamA, (string?)mine["teamId"]);
        await WaitForStateAsync(id, "running");

        // The viewer of team A reads; team B sees nothing of it.
        Assert.Equal(id, (string?)(await GetInstanceAsync(id, viewerA))["id"]);
        using (var deployAsViewer = await viewerA.PostAsJsonAsync("/compute/api/instances/deploy", new { image = "busybox", name = Unique("v") }, Ct))
            await AssertProblemAsync(deployAsViewer, HttpStatusCode.Forbidden);
        using (var other = await operatorB.PostAsJsonAsync("/compute/api/getInstance", new { id }, Ct))
            await AssertProblemAsync(other, HttpStatusCode.BadRequest, "id");
        using (var otherRest = await operatorB.GetAsync($"/compute/api/instances/{id}", Ct))
            await AssertProblemAsync(otherRest, HttpStatusCode.NotFound);
        using (var otherStop = await operatorB.PostAsync($"/compute/api/instances/{id}/stop", null, Ct))
            await AssertProblemAsync(otherStop, HttpStatusCode.NotFound);
        using (var otherDelete = await operatorB.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/instance/delete") { Content = JsonContent.Create(new { id }) }, Ct))
            await AssertProblemAsync(otherDelete, HttpStatusCode.BadRequest, "id");
        var listB = (await operatorB.GetFromJsonAsync<JsonObject>("/compute/api/instances", Ct))!;
        Assert.DoesNotContain(listB["items"]!.AsArray(), i => (string?)i!["id"] == id);
        var listA = (await viewerA.GetFromJsonAsync<JsonObject>("/compute/api/instances", Ct))!;
        Assert.Contains(listA["items"]!.AsArray(), i => (string?)i!["id"] == id);

        // Catalog and nodes are host-admin territory.
        using (var image = await operatorA.PostAsJsonAsync("/compute/api/images/create", new { name = Unique("x"), reference = "x" }, Ct))
            Assert.Equal(HttpStatusCode.Forbidden, image.StatusCode);
        Assert.NotEmpty((await viewerA.GetFromJsonAsync<JsonArray>("/compute/api/images", Ct))!);
        using (var anonymous = await compute.Host.Client.GetAsync("/compute/api/instances", Ct))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // Quota: 4g of memory per user (configured); the operator holds 1g.
        using (var over = await operatorA.PostAsJsonAsync("/compute/api/instances/deploy", new { image = "busybox", memory = "3200m", name = Unique("big") }, Ct))
            await AssertProblemAsync(over, HttpStatusCode.BadRequest, "memory");
        var quota = (await operatorA.GetFromJsonAsync<JsonObject>("/compute/api/quota", Ct))!;
        Assert.Equal(1024L * 1024 * 1024, (long)quota["memoryBytes"]!);
        Assert.Equal(1, (int)quota["instances"]!);

        var operatorUser = (string)mine["userId"]!;
        var byUser = (await (await viewerA.PostAsJsonAsync("/compute/api/getUserInstance", new { userId = operatorUser }, Ct)).Content.ReadFromJsonAsync<JsonArray>(Ct))!;
        Assert.Equal(id, (string?)Assert.Single(byUser)!["id"]);
        using (var noUser = await viewerA.PostAsJsonAsync("/compute/api/getUserInstance", new { }, Ct))
            await AssertProblemAsync(noUser, HttpStatusCode.BadRequest, "userId");

        using (var deleted = await operatorA.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/instance/delete") { Content = JsonContent.Create(new { id }) }, Ct))
            Assert.Equal(HttpStatusCode.Created, deleted.StatusCode);
    }

    [Fact]
    public async Task User_routes_delegate_to_the_host_identity()
    {
        compute.SkipIfUnavailable();
        using var identity = await IdentityClient.SignInAsAdminAsync(compute.Host);
        var username = Unique("alice");
        var created = await ComputeHost.Created(await identity.Session.PostAsJsonAsync("/compute/api/users/create",
            new { username, email = $"{username}@example.test", password = "a-long-enough-password-42" }, Ct));
        Assert.Equal(username, (string?)created["username"]);
        using (var duplicate = await identity.Session.PostAsJsonAsync("/compute/api/users/create", new { username, email = $"{username}@example.test", password = "a-long-enough-password-42" }, Ct))
            await AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        using (var missing = await identity.Session.PostAsJsonAsync("/compute/api/users/create", new { username = Unique("bob") }, Ct))
            await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "password");
        // An API key never mints users, even the admin's.
        using (var byKey = await Admin.PostAsJsonAsync("/compute/api/users/create", new { username = Unique("eve"), email = "eve@example.test", password = "a-long-enough-password-42" }, Ct))
            Assert.Equal(HttpStatusCode.Forbidden, byKey.StatusCode);

        var found = await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/getUser", new { type = "email", value = $"{username}@example.test" }, Ct));
        Assert.Equal((string?)created["id"], (string?)found["id"]);
        using (var badType = await Admin.PostAsJsonAsync("/compute/api/getUser", new { type = "phone", value = "1" }, Ct))
            await AssertProblemAsync(badType, HttpStatusCode.BadRequest, "type");
        using (var nobody = await Admin.PostAsJsonAsync("/compute/api/getUser", new { type = "username", value = "nobody-here" }, Ct))
            await AssertProblemAsync(nobody, HttpStatusCode.BadRequest, "value");
        var users = (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/users", Ct))!;
        Assert.Contains(users, u => (string?)u!["username"] == username);
    }

    [Fact]
    public async Task A_user_created_with_the_documents_optional_userId_keeps_it()
    {
        compute.SkipIfUnavailable();
        using var identity = await IdentityClient.SignInAsAdminAsync(compute.Host);
        var username = Unique("dave");
        var userId = Unique("u-dave");
        var created = await ComputeHost.Created(await identity.Session.PostAsJsonAsync("/compute/api/users/create",
            new { username, email = $"{username}@example.test", password = "a-long-enough-password-42", userId }, Ct));
        Assert.Equal(userId, (string?)created["id"]);
        // a script refers to the user by the id it chose
        using (var byId = await Admin.PostAsJsonAsync("/compute/api/getUserInstance", new { userId }, Ct))
            Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        var users = (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/users", Ct))!;
        Assert.Contains(users, u => (string?)u!["id"] == userId && (string?)u["username"] == username);
        // an id is taken once, in any letter case; a malformed one names the field; neither creates anything
        var other = Unique("erin");
        using (var taken = await identity.Session.PostAsJsonAsync("/compute/api/users/create",
                   new { username = other, email = $"{other}@example.test", password = "a-long-enough-password-42", userId = userId.ToUpperInvariant() }, Ct))
            await AssertProblemAsync(taken, HttpStatusCode.Conflict);
        // users are found by id or username, so a new username may not be someone's id either
        using (var nameIsId = await identity.Session.PostAsJsonAsync("/compute/api/users/create",
                   new { username = userId, email = $"{other}@example.test", password = "a-long-enough-password-42" }, Ct))
            await AssertProblemAsync(nameIsId, HttpStatusCode.Conflict);
        foreach (var bad in new[] { "has space", "slash/in", new string('x', 65) })
        {
            using var malformed = await identity.Session.PostAsJsonAsync("/compute/api/users/create",
                new { username = other, email = $"{other}@example.test", password = "a-long-enough-password-42", userId = bad }, Ct);
            await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "userId");
        }
        users = (await Admin.GetFromJsonAsync<JsonArray>("/compute/api/users", Ct))!;
        Assert.DoesNotContain(users, u => (string?)u!["username"] == other);
    }

    [Fact]
    public async Task Another_teams_user_and_a_missing_user_get_the_same_answer()
    {
        compute.SkipIfUnavailable();
        using var identity = await IdentityClient.SignInAsAdminAsync(compute.Host);
        var teamA = await identity.CreateTeamAsync(Unique("team-a"));
        var teamB = await identity.CreateTeamAsync(Unique("team-b"));
        using var operatorA = compute.KeyClient(await identity.KeyForNewMemberAsync(teamA, "operator"));
        var stranger = Unique("stranger");
        var (strangerId, _) = await identity.CreateUserAsync(stranger);
        await identity.AddMemberAsync(teamB, strangerId, "operator");
        var colleague = Unique("colleague");
        var (colleagueId, _) = await identity.CreateUserAsync(colleague);
        await identity.AddMemberAsync(teamA, colleagueId, "viewer");

        async Task<(HttpStatusCode Status, string Text)> AskAsync(string path, object body)
        {
            using var response = await operatorA.PostAsJsonAsync(path, body, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            // the problem's traceId differs per request by design; everything else must be the same
            return (response.StatusCode, JsonNode.Parse(text) is JsonObject o && o.Remove("traceId") ? o.ToJsonString() : text);
        }

        foreach (var key in new[] { stranger, strangerId })
        {
            // the same status, field and wording as for a name nobody has: nothing tells the user exists
            var other = await AskAsync("/compute/api/getUserInstance", new { userId = key });
            var missing = await AskAsync("/compute/api/getUserInstance", new { userId = key + "x" });
            Assert.Equal(HttpStatusCode.BadRequest, other.Status);
            Assert.Equal(missing.Text.Replace(key + "x", key), other.Text);
            var deployOther = await AskAsync("/compute/api/instances/deploy", new { image = "busybox", name = Unique("d"), user = key });
            var deployMissing = await AskAsync("/compute/api/instances/deploy", new { image = "busybox", name = Unique("d"), user = key + "x" });
            Assert.Equal(HttpStatusCode.BadRequest, deployOther.Status);
            Assert.Equal(JsonNode.Parse(deployMissing.Text)!["errors"]!["user"]!.ToJsonString().Replace(key + "x", key),
                JsonNode.Parse(deployOther.Text)!["errors"]!["user"]!.ToJsonString());
        }
        // a member of the caller's team is found (no instances yet)
        var mate = await AskAsync("/compute/api/getUserInstance", new { userId = colleague });
        Assert.Equal((HttpStatusCode.OK, "[]"), mate);
    }

    [Fact]
    public async Task Usernames_are_unique_and_found_ignoring_letter_case()
    {
        compute.SkipIfUnavailable();
        using var identity = await IdentityClient.SignInAsAdminAsync(compute.Host);
        var username = Unique("carol");
        var created = await ComputeHost.Created(await identity.Session.PostAsJsonAsync("/compute/api/users/create",
            new { username, email = $"{username}@example.test", password = "a-long-enough-password-42" }, Ct));
        var shouted = username.ToUpperInvariant();
        // taken in any case, through the plugin and through the host itself
        using (var again = await identity.Session.PostAsJsonAsync("/compute/api/users/create",
                   new { username = shouted, email = $"other-{username}@example.test", password = "a-long-enough-password-42" }, Ct))
            await AssertProblemAsync(again, HttpStatusCode.Conflict);
        using (var hostAgain = await identity.Session.PostAsJsonAsync("/api/v1/users", new { username = shouted, password = "a-long-enough-password-42" }, Ct))
            Assert.Equal(HttpStatusCode.Conflict, hostAgain.StatusCode);
        // and found in any case
        var found = await ComputeHost.Created(await Admin.PostAsJsonAsync("/compute/api/getUser", new { type = "username", value = shouted }, Ct));
        Assert.Equal((string?)created["id"], (string?)found["id"]);
        Assert.Equal(username, (string?)found["username"]);
        using var byUser = await Admin.PostAsJsonAsync("/compute/api/getUserInstance", new { userId = shouted }, Ct);
        Assert.Equal(HttpStatusCode.OK, byUser.StatusCode);
        // team names follow the same rule
        var team = Unique("Kernel-Folk");
        await identity.CreateTeamAsync(team);
        using (var sameTeam = await identity.Session.PostAsJsonAsync("/api/v1/teams", new { name = team.ToLowerInvariant() }, Ct))
            Assert.Equal(HttpStatusCode.Conflict, sameTeam.StatusCode);
        // and organization names
        var organization = Unique("Edge-Org");
        using (var org = await identity.Session.PostAsJsonAsync("/api/v1/organizations", new { name = organization }, Ct))
            Assert.Equal(HttpStatusCode.Created, org.StatusCode);
        using (var sameOrg = await identity.Session.PostAsJsonAsync("/api/v1/organizations", new { name = organization.ToUpperInvariant() }, Ct))
            Assert.Equal(HttpStatusCode.Conflict, sameOrg.StatusCode);
    }

    private async Task<JsonObject> ComputeApi(HttpMethod method, string path)
    {
        using var response = await Admin.SendAsync(new HttpRequestMessage(method, path), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private Task<HttpResponseMessage> DeleteInstanceAsync(string? id) =>
        Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/api/instance/delete") { Content = JsonContent.Create(new { id }) }, Ct);
}
