using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The plugin's HTTP API on the real host (SQLite): enrollment, ingestion, the seed's routes, authorization.</summary>
public sealed class ApiTests(EbpfHostFixture f) : ApiTestsBase(f), IClassFixture<EbpfHostFixture>;

/// <summary>The same tests with the host on PostgreSQL.</summary>
public sealed class PostgresApiTests(EbpfPostgresHostFixture f) : ApiTestsBase(f), IClassFixture<EbpfPostgresHostFixture>;

public abstract class ApiTestsBase(EbpfHostFixture f)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!;
    }

    private async Task<string> NewTokenAsync(string teamId, string key, int? maxUses = null)
    {
        using var c = f.Client(key);
        var body = await JsonAsync(await c.PostAsJsonAsync($"api/v1/teams/{teamId}/enrollment-tokens", new { name = "fleet", maxUses }, Ct), HttpStatusCode.Created);
        return (string)body["secret"]!;
    }

    private async Task<(string NodeId, string Credential)> EnrollAsync(string token, string name)
    {
        using var c = f.Anonymous();
        var body = await JsonAsync(await c.PostAsJsonAsync("api/v1/nodes/enroll", new { token, name, hostname = name, agentVersion = "test" }, Ct), HttpStatusCode.Created);
        return ((string)body["nodeId"]!, (string)body["credential"]!);
    }

    private static string Report(params (long Id, string Name)[] programs) =>
        new JsonObject
        {
            ["schemaVersion"] = 1,
            ["agentVersion"] = "test",
            ["hostname"] = "h",
            ["kernel"] = new JsonObject { ["release"] = "6.1.0-test" },
            ["btf"] = new JsonObject { ["available"] = true },
            ["programs"] = new JsonArray(programs.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Id, ["type"] = "xdp", ["name"] = p.Name, ["tag"] = "00112233445566" + p.Id.ToString("x2"), ["loadTimeNs"] = 100 + p.Id, ["runCnt"] = 0,
            }).ToArray()),
            ["maps"] = new JsonArray(new JsonObject { ["id"] = 5, ["type"] = "hash", ["name"] = "m5", ["maxEntries"] = 16 }),
        }.ToJsonString();

    private async Task<HttpResponseMessage> PostReportAsync(string nodeId, string? credential, string body)
    {
        using var c = f.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/nodes/{nodeId}/reports") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (credential is not null) request.Headers.Add("X-Edgeplane-Node-Credential", credential);
        return await c.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Enrolled_node_reports_replace_its_inventory_and_keep_history()
    {
        f.RequireDatabase();
        var token = await NewTokenAsync(f.TeamId, f.Keys["operator"]);
        var (nodeId, credential) = await EnrollAsync(token, "hist-node");
        using var viewer = f.Client(f.Keys["viewer"]);

        var node = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}", Ct), HttpStatusCode.OK);
        Assert.Equal("pending", (string)node["state"]!);

        var first = await JsonAsync(await PostReportAsync(nodeId, credential, Report((1, "a"), (2, "b"))), HttpStatusCode.OK);
        Assert.Equal(3, (int)first["appeared"]!);
        var second = await JsonAsync(await PostReportAsync(nodeId, credential, Report((2, "b"), (3, "c"))), HttpStatusCode.OK);
        Assert.Equal(1, (int)second["appeared"]!);
        Assert.Equal(1, (int)second["disappeared"]!);

        node = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}", Ct), HttpStatusCode.OK);
        Assert.Equal("online", (string)node["state"]!);
        Assert.Equal("6.1.0-test", (string)node["kernelRelease"]!);
        Assert.True((bool)node["features"]!["btf"]!["available"]!);
        Assert.Equal(2, (int)node["programCount"]!);

        var programs = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms", Ct), HttpStatusCode.OK);
        Assert.Equal([2L, 3L], programs["items"]!.AsArray().Select(p => (long)p!["id"]!));
        var one = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/3", Ct), HttpStatusCode.OK);
        Assert.Equal("c", (string)one["name"]!);
        Assert.Null(one["disappearedAt"]);
        Assert.NotNull(one["firstSeen"]);
        var gone = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/1", Ct), HttpStatusCode.OK);
        Assert.NotNull(gone["disappearedAt"]);
        await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/99", Ct), HttpStatusCode.NotFound);
        var map = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfmaps/5", Ct), HttpStatusCode.OK);
        Assert.Equal(16, (int)map["maxEntries"]!);

        var history = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/history?kind=program", Ct), HttpStatusCode.OK);
        var lifetimes = history["items"]!.AsArray().Select(h => ((long)h!["id"]!, h["disappearedAt"] is not null)).OrderBy(x => x.Item1).ToList();
        Assert.Equal([(1L, true), (2L, false), (3L, false)], lifetimes);
        await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/history?kind=bogus", Ct), HttpStatusCode.BadRequest);

        var teamPrograms = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/bpfprograms?limit=500", Ct), HttpStatusCode.OK);
        Assert.Contains(teamPrograms["items"]!.AsArray(), p => (string)p!["nodeId"]! == nodeId && (long)p["id"]! == 3);
        await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/bpfprograms?limit=0", Ct), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Concurrent_reports_are_committed_together_and_each_answered_after_its_commit()
    {
        f.RequireDatabase();
        var token = await NewTokenAsync(f.TeamId, f.Keys["operator"]);
        var nodes = new List<(string NodeId, string Credential)>();
        for (var i = 0; i < 12; i++) nodes.Add(await EnrollAsync(token, $"burst-{i}"));
        // Every node sends two reports at once with the same first program set, then a third that replaces
        // program 1: reports queued together share a transaction, and a node's reports apply in order.
        var first = nodes.SelectMany(n => new[] { n, n }).Select(n => PostReportAsync(n.NodeId, n.Credential, Report((1, "a"), (2, "b")))).ToList();
        foreach (var response in await Task.WhenAll(first)) await JsonAsync(response, HttpStatusCode.OK);
        var second = nodes.Select(n => PostReportAsync(n.NodeId, n.Credential, Report((2, "b"), (3, "c")))).ToList();
        foreach (var response in await Task.WhenAll(second))
        {
            var body = await JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal((1, 1), ((int)body["appeared"]!, (int)body["disappeared"]!));
        }

        // acknowledged means stored: every node's inventory and history are already there
        using var viewer = f.Client(f.Keys["viewer"]);
        foreach (var (nodeId, _) in nodes)
        {
            var node = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}", Ct), HttpStatusCode.OK);
            Assert.Equal(3, (int)node["reportCount"]!);
            var programs = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms", Ct), HttpStatusCode.OK);
            Assert.Equal([2L, 3L], programs["items"]!.AsArray().Select(p => (long)p!["id"]!));
            var history = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/history?kind=program", Ct), HttpStatusCode.OK);
            Assert.Equal([(1L, true), (2L, false), (3L, false)],
                history["items"]!.AsArray().Select(h => ((long)h!["id"]!, h["disappearedAt"] is not null)).OrderBy(x => x.Item1));
        }
    }

    [Fact]
    public async Task Changed_objects_are_rewritten_in_place_keeping_their_lifetime()
    {
        f.RequireDatabase();
        var token = await NewTokenAsync(f.TeamId, f.Keys["operator"]);
        var (nodeId, credential) = await EnrollAsync(token, "counters-node");
        using var viewer = f.Client(f.Keys["viewer"]);
        var programs = Enumerable.Range(1, 40).Select(i => ((long)i, $"p{i}")).ToArray(); // more than one statement's worth
        await JsonAsync(await PostReportAsync(nodeId, credential, Report(programs)), HttpStatusCode.OK);
        var before = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/7", Ct), HttpStatusCode.OK);
        var counted = await JsonAsync(await PostReportAsync(nodeId, credential, Report(programs).Replace("\"runCnt\":0", "\"runCnt\":42")), HttpStatusCode.OK);
        Assert.Equal((0, 0, 40), ((int)counted["appeared"]!, (int)counted["disappeared"]!, (int)counted["changed"]!));
        foreach (var id in new[] { 1, 7, 40 })
        {
            var after = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/{id}", Ct), HttpStatusCode.OK);
            Assert.Equal(42, (int)after["runCnt"]!);
            Assert.Equal($"p{id}", (string)after["name"]!);
            Assert.Null(after["disappearedAt"]);
            if (id == 7) Assert.Equal((string)before["firstSeen"]!, (string)after["firstSeen"]!);
        }
        var history = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/history?kind=program&limit=500", Ct), HttpStatusCode.OK);
        Assert.Equal(40, (int)history["total"]!);
    }

    [Fact]
    public async Task Bad_reports_are_refused_and_change_nothing()
    {
        f.RequireDatabase();
        var token = await NewTokenAsync(f.TeamId, f.Keys["operator"]);
        var (nodeId, credential) = await EnrollAsync(token, "bad-reports");
        var (otherNode, _) = await EnrollAsync(token, "bad-reports-2");
        await JsonAsync(await PostReportAsync(nodeId, credential, Report((1, "a"))), HttpStatusCode.OK);

        await JsonAsync(await PostReportAsync(nodeId, null, Report()), HttpStatusCode.Unauthorized);
        await JsonAsync(await PostReportAsync(nodeId, "epn_wrong", Report()), HttpStatusCode.Unauthorized);
        await JsonAsync(await PostReportAsync(otherNode, credential, Report()), HttpStatusCode.Forbidden);
        var malformed = await JsonAsync(await PostReportAsync(nodeId, credential, """{"programs":[{"id":"x"}],"maps":[]}"""), HttpStatusCode.BadRequest);
        Assert.Contains("programs[0].id", malformed["errors"]!.AsObject().Select(e => e.Key));
        await JsonAsync(await PostReportAsync(nodeId, credential, "{not json"), HttpStatusCode.BadRequest);
        var huge = Report((1, "a")).Replace("\"hostname\":\"h\"", "\"hostname\":\"h\",\"pad\":\"" + new string('x', (int)EbpfHostFixture.MaxReportBytes) + "\"");
        await JsonAsync(await PostReportAsync(nodeId, credential, huge), HttpStatusCode.RequestEntityTooLarge);

        using var viewer = f.Client(f.Keys["viewer"]);
        var programs = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms", Ct), HttpStatusCode.OK);
        Assert.Equal([1L], programs["items"]!.AsArray().Select(p => (long)p!["id"]!));
        var node = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}", Ct), HttpStatusCode.OK);
        Assert.Equal(1, (int)node["reportCount"]!);

        // outcomes are counted in the host's /metrics
        using var admin = f.Host.AdminClient();
        var metrics = await admin.GetStringAsync("/metrics", Ct);
        foreach (var outcome in new[] { "accepted", "unauthorized", "forbidden", "malformed", "too_large" })
            Assert.Matches($"edgeplane_ebpf_reports_total\\{{[^}}]*outcome=\"{outcome}\"[^}}]*\\}} [1-9]", metrics);
        Assert.Contains("edgeplane_ebpf_ingest_duration_seconds_bucket", metrics);
    }

    [Fact]
    public async Task Tokens_are_single_use_when_asked_revocable_and_stored_only_as_hashes()
    {
        f.RequireDatabase();
        var single = await NewTokenAsync(f.TeamId, f.Keys["operator"], maxUses: 1);
        await EnrollAsync(single, "single-1");
        using var anon = f.Anonymous();
        await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll", new { token = single, name = "single-2" }, Ct), HttpStatusCode.Unauthorized);
        await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll", new { name = "x" }, Ct), HttpStatusCode.BadRequest);

        using var op = f.Client(f.Keys["operator"]);
        var created = await JsonAsync(await op.PostAsJsonAsync($"api/v1/teams/{f.TeamId}/enrollment-tokens", new { name = "to-revoke" }, Ct), HttpStatusCode.Created);
        var id = (string)created["token"]!["id"]!;
        var secret = (string)created["secret"]!;
        await JsonAsync(await op.DeleteAsync($"api/v1/teams/{f.TeamId}/enrollment-tokens/{id}", Ct), HttpStatusCode.NoContent);
        await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll", new { token = secret, name = "late" }, Ct), HttpStatusCode.Unauthorized);
        var list = await JsonAsync(await op.GetAsync($"api/v1/teams/{f.TeamId}/enrollment-tokens", Ct), HttpStatusCode.OK);
        Assert.Equal("revoked", (string)list["items"]!.AsArray().Single(t => (string)t!["id"]! == id)!["state"]!);
        Assert.DoesNotContain(secret, list.ToJsonString());
        await JsonAsync(await op.PostAsJsonAsync($"api/v1/teams/{f.TeamId}/enrollment-tokens", new { name = "" }, Ct), HttpStatusCode.BadRequest);
        await JsonAsync(await op.PostAsJsonAsync($"api/v1/teams/{f.TeamId}/enrollment-tokens", new { name = "x", maxUses = 0 }, Ct), HttpStatusCode.BadRequest);

        // only hashes in the database (the SQLite file; on PostgreSQL the same statements run)
        var db = Directory.GetFiles(f.Host.DataDirectory, "*.db*", SearchOption.AllDirectories);
        if (db.Length == 0 && f is EbpfPostgresHostFixture) return;
        Assert.NotEmpty(db);
        foreach (var file in db)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            Assert.DoesNotContain(secret, await reader.ReadToEndAsync(Ct));
        }
    }

    [Fact]
    public async Task A_team_the_host_does_not_have_is_a_404_on_every_team_route_even_for_a_host_admin()
    {
        f.RequireDatabase();
        using var anon = new HttpClient { BaseAddress = f.Host.BaseAddress };
        var doc = (JsonObject)JsonNode.Parse(await anon.GetStringAsync("/openapi/v1.json", Ct))!;
        var routes = doc["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith("/ebpf/api/v1/teams/{teamId}", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(m => (Method: m.Key.ToUpperInvariant(), Path: p.Key)))
            .ToList();
        Assert.True(routes.Count >= 14, $"{routes.Count} team routes in the OpenAPI document");
        using var root = f.Client(f.Host.AdminKey);
        foreach (var (method, path) in routes)
        {
            var url = path["/ebpf/".Length..].Replace("{teamId}", "nosuchteam").Replace("{nodeId}", "nosuchnode").Replace("{programId}", "1")
                .Replace("{mapId}", "1").Replace("{tokenId}", "nosuchtoken");
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method is "POST") request.Content = JsonContent.Create(new { name = "ghost-team" });
            using var response = await root.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    [Fact]
    public async Task Enrolling_a_known_machine_again_returns_its_node_with_a_new_credential()
    {
        f.RequireDatabase();
        var machine = Guid.NewGuid().ToString("N");
        using var anon = f.Anonymous();
        var first = await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll",
            new { token = await NewTokenAsync(f.TeamId, f.Keys["operator"]), name = "machine-a", machineId = machine }, Ct), HttpStatusCode.Created);
        var nodeId = (string)first["nodeId"]!;
        await JsonAsync(await PostReportAsync(nodeId, (string)first["credential"]!, Report((1, "a"))), HttpStatusCode.OK);

        var again = await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll",
            new { token = await NewTokenAsync(f.TeamId, f.Keys["operator"]), name = "machine-a2", machineId = machine }, Ct), HttpStatusCode.OK);
        Assert.Equal(nodeId, (string)again["nodeId"]!);
        Assert.Equal("machine-a2", (string)again["name"]!);
        await JsonAsync(await PostReportAsync(nodeId, (string)first["credential"]!, Report((1, "a"))), HttpStatusCode.Unauthorized);
        await JsonAsync(await PostReportAsync(nodeId, (string)again["credential"]!, Report((1, "a"))), HttpStatusCode.OK);
        using var viewer = f.Client(f.Keys["viewer"]);
        var programs = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms", Ct), HttpStatusCode.OK);
        Assert.Equal(1, (int)programs["total"]!); // the same lifetime: nothing disappeared and reappeared
        var history = await JsonAsync(await viewer.GetAsync($"api/v1/teams/{f.TeamId}/nodes/{nodeId}/history", Ct), HttpStatusCode.OK);
        Assert.Equal(2, (int)history["total"]!); // program 1 and map 5, each one lifetime

        // machine ids are per team: another team's token makes that team a node of its own
        var other = await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll",
            new { token = await NewTokenAsync(f.OtherTeamId, f.OtherTeamAdminKey), name = "machine-a", machineId = machine }, Ct), HttpStatusCode.Created);
        Assert.NotEqual(nodeId, (string)other["nodeId"]!);
        var bad = await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll",
            new { token = await NewTokenAsync(f.TeamId, f.Keys["operator"]), name = "m", machineId = new string('a', 65) }, Ct), HttpStatusCode.BadRequest);
        Assert.Contains("machineId", bad["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_node_enrolled_without_a_machine_id_learns_it_from_its_reports_and_is_recognised_when_it_enrolls_again()
    {
        f.RequireDatabase();
        var machine = Guid.NewGuid().ToString("N");
        using var anon = f.Anonymous();
        // an agent older than machine ids enrolled this node; the upgraded agent's reports carry the id
        var first = await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll",
            new { token = await NewTokenAsync(f.TeamId, f.Keys["operator"]), name = "old-agent" }, Ct), HttpStatusCode.Created);
        var nodeId = (string)first["nodeId"]!;
        var report = JsonNode.Parse(Report((1, "a")))!.AsObject();
        report["machineId"] = machine;
        await JsonAsync(await PostReportAsync(nodeId, (string)first["credential"]!, report.ToJsonString()), HttpStatusCode.OK);

        var again = await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll",
            new { token = await NewTokenAsync(f.TeamId, f.Keys["operator"]), name = "old-agent", machineId = machine }, Ct), HttpStatusCode.OK);
        Assert.Equal(nodeId, (string)again["nodeId"]!);

        // a bad machine id in a report is refused like one at enrollment
        report["machineId"] = new string('a', 65);
        var bad = await JsonAsync(await PostReportAsync(nodeId, (string)again["credential"]!, report.ToJsonString()), HttpStatusCode.BadRequest);
        Assert.Contains("machineId", bad["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Every_route_is_in_the_OpenAPI_document()
    {
        f.RequireDatabase();
        using var anon = new HttpClient { BaseAddress = f.Host.BaseAddress };
        var doc = (JsonObject)JsonNode.Parse(await anon.GetStringAsync("/openapi/v1.json", Ct))!;
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        foreach (var path in new[]
        {
            "/ebpf/api/v1/teams/{teamId}", "/ebpf/api/v1/teams/{teamId}/bpfprograms", "/ebpf/api/v1/teams/{teamId}/bpfmaps",
            "/ebpf/api/v1/teams/{teamId}/nodes", "/ebpf/api/v1/teams/{teamId}/nodes/{nodeId}",
            "/ebpf/api/v1/teams/{teamId}/nodes/{nodeId}/bpfprograms", "/ebpf/api/v1/teams/{teamId}/nodes/{nodeId}/bpfprograms/{programId}",
            "/ebpf/api/v1/teams/{teamId}/nodes/{nodeId}/bpfmaps", "/ebpf/api/v1/teams/{teamId}/nodes/{nodeId}/bpfmaps/{mapId}",
            "/ebpf/api/v1/teams/{teamId}/nodes/{nodeId}/history", "/ebpf/api/v1/teams/{teamId}/enrollment-tokens",
            "/ebpf/api/v1/teams/{teamId}/enrollment-tokens/{tokenId}", "/ebpf/api/v1/nodes/enroll", "/ebpf/api/v1/nodes/{nodeId}/reports",
        })
            Assert.Contains(path, paths);
    }

    [Fact]
    public async Task Authorization_matrix()
    {
        f.RequireDatabase();
        var token = await NewTokenAsync(f.TeamId, f.Keys["operator"]);
        var (nodeId, credential) = await EnrollAsync(token, "authz");
        var team = $"api/v1/teams/{f.TeamId}";

        using var anon = f.Anonymous();
        await JsonAsync(await anon.GetAsync($"{team}/nodes", Ct), HttpStatusCode.Unauthorized);
        await JsonAsync(await anon.GetAsync($"{team}/bpfprograms", Ct), HttpStatusCode.Unauthorized);

        using var other = f.Client(f.OtherTeamAdminKey);
        await JsonAsync(await other.GetAsync(team, Ct), HttpStatusCode.NotFound);
        await JsonAsync(await other.GetAsync($"{team}/nodes/{nodeId}", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await other.GetAsync($"{team}/bpfmaps", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await other.DeleteAsync($"{team}/nodes/{nodeId}", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await other.DeleteAsync(team, Ct), HttpStatusCode.NotFound);

        // the node credential is not an API key: it opens no team route
        using var node = f.Client(credential);
        await JsonAsync(await node.GetAsync($"{team}/nodes", Ct), HttpStatusCode.Unauthorized);
        using var nodeHeader = f.Anonymous();
        nodeHeader.DefaultRequestHeaders.Add("X-Edgeplane-Node-Credential", credential);
        await JsonAsync(await nodeHeader.GetAsync($"{team}/nodes/{nodeId}", Ct), HttpStatusCode.Unauthorized);

        using var viewer = f.Client(f.Keys["viewer"]);
        await JsonAsync(await viewer.GetAsync($"{team}/nodes", Ct), HttpStatusCode.OK);
        var forbidden = await JsonAsync(await viewer.PostAsJsonAsync($"{team}/enrollment-tokens", new { name = "v" }, Ct), HttpStatusCode.Forbidden);
        Assert.Contains("ebpf.enrollment.manage", forbidden.ToJsonString());
        await JsonAsync(await viewer.DeleteAsync($"{team}/nodes/{nodeId}", Ct), HttpStatusCode.Forbidden);
        using var op = f.Client(f.Keys["operator"]);
        await JsonAsync(await op.PostAsJsonAsync(team, new { name = "renamed" }, Ct), HttpStatusCode.Forbidden);
        await JsonAsync(await op.DeleteAsync(team, Ct), HttpStatusCode.Forbidden);

        // removal: the node and its credential are gone
        await JsonAsync(await op.DeleteAsync($"{team}/nodes/{nodeId}", Ct), HttpStatusCode.NoContent);
        await JsonAsync(await viewer.GetAsync($"{team}/nodes/{nodeId}", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await PostReportAsync(nodeId, credential, Report()), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Team_get_rename_and_delete_act_on_the_host_team_and_all_its_ebpf_data()
    {
        f.RequireDatabase();
        // a team of its own so that deleting it does not disturb the other tests
        var teamId = await f.Admin.CreateTeamAsync("doomed-team");
        var adminKey = await f.Admin.KeyForNewMemberAsync(teamId, "admin");
        using var admin = f.Client(adminKey);
        var team = await JsonAsync(await admin.GetAsync($"api/v1/teams/{teamId}", Ct), HttpStatusCode.OK);
        Assert.Equal("doomed-team", (string)team["name"]!);

        var bad = await JsonAsync(await admin.PostAsJsonAsync($"api/v1/teams/{teamId}", new { name = "" }, Ct), HttpStatusCode.BadRequest);
        Assert.Contains("name", bad["errors"]!.AsObject().Select(e => e.Key));
        await JsonAsync(await admin.PostAsJsonAsync($"api/v1/teams/{teamId}", new { name = "other-team" }, Ct), HttpStatusCode.Conflict); // the fixture's other team
        await JsonAsync(await admin.PostAsJsonAsync($"api/v1/teams/{teamId}", new { name = "Other-Team" }, Ct), HttpStatusCode.Conflict); // names ignore letter case
        team = await JsonAsync(await admin.PostAsJsonAsync($"api/v1/teams/{teamId}", new { name = "Kernel Folk" }, Ct), HttpStatusCode.OK);
        Assert.Equal("Kernel Folk", (string)team["name"]!);
        // the host team itself was renamed
        using var hostAdmin = f.Host.AdminClient();
        var hostTeams = JsonNode.Parse(await hostAdmin.GetStringAsync("/api/v1/teams", Ct))!.AsArray();
        Assert.Equal("Kernel Folk", (string)hostTeams.Single(t => (string)t!["id"]! == teamId)!["name"]!);

        var token = await NewTokenAsync(teamId, adminKey);
        var (nodeId, credential) = await EnrollAsync(token, "doomed-node");
        await JsonAsync(await PostReportAsync(nodeId, credential, Report((1, "a"))), HttpStatusCode.OK);
        team = await JsonAsync(await admin.GetAsync($"api/v1/teams/{teamId}", Ct), HttpStatusCode.OK);
        Assert.Equal((1L, 1L, 1L), ((long)team["nodeCount"]!, (long)team["programCount"]!, (long)team["mapCount"]!));

        await JsonAsync(await admin.DeleteAsync($"api/v1/teams/{teamId}", Ct), HttpStatusCode.NoContent);
        // the host team is gone with its keys; a host admin sees no team and no eBPF data left
        hostTeams = JsonNode.Parse(await hostAdmin.GetStringAsync("/api/v1/teams", Ct))!.AsArray();
        Assert.DoesNotContain(hostTeams, t => (string)t!["id"]! == teamId);
        await JsonAsync(await admin.GetAsync($"api/v1/teams/{teamId}", Ct), HttpStatusCode.Unauthorized);
        using var root = f.Client(f.Host.AdminKey);
        await JsonAsync(await root.GetAsync($"api/v1/teams/{teamId}", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await root.GetAsync($"api/v1/teams/{teamId}/nodes", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await root.GetAsync($"api/v1/teams/{teamId}/bpfprograms", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await root.GetAsync($"api/v1/teams/{teamId}/nodes/{nodeId}/history", Ct), HttpStatusCode.NotFound);
        using var anon = f.Anonymous();
        await JsonAsync(await anon.PostAsJsonAsync("api/v1/nodes/enroll", new { token, name = "after" }, Ct), HttpStatusCode.Unauthorized);
        await JsonAsync(await PostReportAsync(nodeId, credential, Report()), HttpStatusCode.Unauthorized);
        await JsonAsync(await root.DeleteAsync($"api/v1/teams/{teamId}", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_personal_team_is_not_deleted_and_keeps_its_data()
    {
        f.RequireDatabase();
        var (_, personalTeam) = await f.Admin.CreateUserAsync($"personal-{Guid.NewGuid():N}"[..20]);
        using var root = f.Client(f.Host.AdminKey);
        var token = (string)(await JsonAsync(await root.PostAsJsonAsync($"api/v1/teams/{personalTeam}/enrollment-tokens", new { name = "p" }, Ct), HttpStatusCode.Created))["secret"]!;
        var (nodeId, credential) = await EnrollAsync(token, "personal-node");
        await JsonAsync(await PostReportAsync(nodeId, credential, Report((1, "a"))), HttpStatusCode.OK);

        await JsonAsync(await root.DeleteAsync($"api/v1/teams/{personalTeam}", Ct), HttpStatusCode.Conflict);
        var programs = await JsonAsync(await root.GetAsync($"api/v1/teams/{personalTeam}/nodes/{nodeId}/bpfprograms", Ct), HttpStatusCode.OK);
        Assert.Equal(1, (int)programs["total"]!);
        await JsonAsync(await PostReportAsync(nodeId, credential, Report((1, "a"))), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deleting_a_team_through_the_host_api_deletes_its_ebpf_data()
    {
        f.RequireDatabase();
        var teamId = await f.Admin.CreateTeamAsync($"host-deleted-{Guid.NewGuid():N}"[..20]);
        using var root = f.Client(f.Host.AdminKey);
        var token = (string)(await JsonAsync(await root.PostAsJsonAsync($"api/v1/teams/{teamId}/enrollment-tokens", new { name = "h" }, Ct), HttpStatusCode.Created))["secret"]!;
        var (nodeId, credential) = await EnrollAsync(token, "host-deleted-node");
        await JsonAsync(await PostReportAsync(nodeId, credential, Report((1, "a"))), HttpStatusCode.OK);

        using var deleted = await f.Admin.Session.DeleteAsync($"/api/v1/teams/{teamId}", Ct); // the host's route takes a session
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await JsonAsync(await root.GetAsync($"api/v1/teams/{teamId}/nodes", Ct), HttpStatusCode.NotFound);
        await JsonAsync(await PostReportAsync(nodeId, credential, Report()), HttpStatusCode.Unauthorized);
    }
}
