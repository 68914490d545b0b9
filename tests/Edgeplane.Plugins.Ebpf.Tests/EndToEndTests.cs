using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The real agent, built with CMake, against the real kernel and the real host on 127.0.0.1.</summary>
public sealed class EndToEndTests(EbpfHostFixture f) : IClassFixture<EbpfHostFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonObject> GetAsync(HttpClient c, string path)
    {
        using var response = await c.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private async Task<string> TokenAsync()
    {
        using var op = f.Client(f.Keys["operator"]);
        using var response = await op.PostAsJsonAsync($"api/v1/teams/{f.TeamId}/enrollment-tokens", new { name = "e2e" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["secret"]!;
    }

    private static async Task<JsonArray> BpftoolAsync(string what)
    {
        if (!AgentBuild.OnPath("bpftool")) Assert.Skip("bpftool is not installed");
        var run = await AgentBuild.RunAsync("bpftool", ["-j", what, "show"]);
        Assert.True(run.ExitCode == 0, run.Output);
        return (JsonArray)JsonNode.Parse(run.Stdout)!;
    }

    private static async Task<List<JsonObject>> AllAsync(HttpClient c, string path)
    {
        var items = new List<JsonObject>();
        for (var offset = 0; ; offset += 500)
        {
            var page = await GetAsync(c, $"{path}?limit=500&offset={offset}");
            items.AddRange(page["items"]!.AsArray().OfType<JsonObject>());
            if (items.Count >= (long)page["total"]! || page["items"]!.AsArray().Count == 0) return items;
        }
    }

    [Fact]
    public async Task Agent_enrolls_reports_and_the_seed_routes_return_exactly_the_kernel_objects()
    {
        await AgentBuild.RequireAsync();
        using var state = new TempDirectory();
        var stateFile = state.Combine("state.json");
        var prefix = "e" + Random.Shared.Next(100000, 999999);
        var token = await TokenAsync();
        using var viewer = f.Client(f.Keys["viewer"]);
        string nodeId;
        List<long> programIds, mapIds;

        await using (var fixture = await BpfFixtureProcess.StartAsync(maps: 3, programs: 2, prefix))
        {
            programIds = [.. fixture.ProgramIds];
            mapIds = [.. fixture.MapIds];
            var run = await AgentBuild.RunAsync(AgentBuild.Agent, ["--once", "--server", f.Server, "--token", token, "--state-file", stateFile, "--name", prefix + "-node"]);
            Assert.True(run.ExitCode == 0, run.Output);
            var saved = JsonNode.Parse(await File.ReadAllTextAsync(stateFile, Ct))!;
            nodeId = (string)saved["nodeId"]!;
            Assert.Equal(f.TeamId, (string)saved["teamId"]!);
            Assert.Equal("-rw-------", FormatMode(File.GetUnixFileMode(stateFile)));

            var nodes = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes");
            var listed = nodes["items"]!.AsArray().OfType<JsonObject>().Single(n => (string)n["id"]! == nodeId);
            Assert.Equal(prefix + "-node", (string)listed["name"]!);
            Assert.Equal("online", (string)listed["state"]!);

            var node = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}");
            var release = (await AgentBuild.RunAsync("uname", ["-r"])).Stdout.Trim();
            Assert.Equal(release, (string)node["kernelRelease"]!);
            Assert.Equal(release, (string)node["features"]!["kernel"]!["release"]!);
            Assert.Equal(File.Exists("/sys/kernel/btf/vmlinux"), (bool)node["features"]!["btf"]!["available"]!);
            Assert.NotEmpty(node["features"]!["features"]!["programTypes"]!.AsArray());
            Assert.NotEmpty(node["features"]!["features"]!["helpers"]!["xdp"]!.AsArray());
            Assert.NotNull(node["features"]!["jit"]!["enable"]);

            var bpftoolProgs = await BpftoolAsync("prog");
            var bpftoolMaps = await BpftoolAsync("map");
            var programs = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms");
            var maps = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfmaps");
            Assert.Equal(programIds.Order(), programs.Where(p => ((string)p["name"]!).StartsWith(prefix)).Select(p => (long)p["id"]!).Order());
            Assert.Equal(mapIds.Order(), maps.Where(m => ((string)m["name"]!).StartsWith(prefix)).Select(m => (long)m["id"]!).Order());

            foreach (var id in programIds)
            {
                var p = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/{id}");
                var b = bpftoolProgs.OfType<JsonObject>().Single(x => (long)x["id"]! == id);
                Assert.Equal((string)b["name"]!, (string)p["name"]!);
                Assert.Equal((string)b["tag"]!, (string)p["tag"]!);
                Assert.Equal((string)b["type"]!, (string)p["type"]!);
                Assert.Equal((long)b["bytes_xlated"]!, (long)p["bytesXlated"]!);
                Assert.Equal((long)b["bytes_memlock"]!, (long)p["bytesMemlock"]!);
                Assert.Equal(b["map_ids"]!.AsArray().Select(x => (long)x!), p["mapIds"]!.AsArray().Select(x => (long)x!));
                Assert.Equal(nodeId, (string)p["nodeId"]!);
                Assert.NotNull(p["firstSeen"]);
            }
            foreach (var id in mapIds)
            {
                var m = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfmaps/{id}");
                var b = bpftoolMaps.OfType<JsonObject>().Single(x => (long)x["id"]! == id);
                Assert.Equal((string)b["name"]!, (string)m["name"]!);
                Assert.Equal((string)b["type"]!, (string)m["type"]!);
                Assert.Equal((long)b["bytes_key"]!, (long)m["bytesKey"]!);
                Assert.Equal((long)b["bytes_value"]!, (long)m["bytesValue"]!);
                Assert.Equal((long)b["max_entries"]!, (long)m["maxEntries"]!);
                Assert.Equal((long)b["flags"]!, (long)m["flags"]!);
            }
            var teamMaps = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/bpfmaps");
            Assert.Equal(mapIds.Order(), teamMaps.Where(m => (string)m["nodeId"]! == nodeId && ((string)m["name"]!).StartsWith(prefix)).Select(m => (long)m["id"]!).Order());
            var teamPrograms = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/bpfprograms");
            Assert.Equal(programIds.Order(), teamPrograms.Where(p => (string)p["nodeId"]! == nodeId && ((string)p["name"]!).StartsWith(prefix)).Select(p => (long)p["id"]!).Order());
        }

        // unloaded; wait for the kernel to free them, then the agent reports again with its saved credential
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var local = JsonNode.Parse((await AgentBuild.RunAsync(AgentBuild.Agent, ["--once", "--stdout", "--no-features"])).Stdout)!;
            if (!local["maps"]!.AsArray().Any(m => ((string)m!["name"]!).StartsWith(prefix))) break;
            await Task.Delay(100, Ct);
        }
        var again = await AgentBuild.RunAsync(AgentBuild.Agent, ["--once", "--server", f.Server, "--state-file", stateFile, "--no-helpers"]);
        Assert.True(again.ExitCode == 0, again.Output);

        var after = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms");
        Assert.DoesNotContain(after, p => ((string)p["name"]!).StartsWith(prefix));
        var history = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/history");
        foreach (var id in programIds.Concat(mapIds))
        {
            var lifetime = history.Single(h => (long)h["id"]! == id && ((string)h["name"]!).StartsWith(prefix));
            Assert.NotNull(lifetime["appearedAt"]);
            Assert.NotNull(lifetime["disappearedAt"]);
        }
        var gone = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{nodeId}/bpfprograms/{programIds[0]}");
        Assert.NotNull(gone["disappearedAt"]);
    }

    private static string FormatMode(UnixFileMode mode) =>
        "-" + (mode.HasFlag(UnixFileMode.UserRead) ? "r" : "-") + (mode.HasFlag(UnixFileMode.UserWrite) ? "w" : "-") + (mode.HasFlag(UnixFileMode.UserExecute) ? "x" : "-")
        + (mode.HasFlag(UnixFileMode.GroupRead) ? "r" : "-") + (mode.HasFlag(UnixFileMode.GroupWrite) ? "w" : "-") + (mode.HasFlag(UnixFileMode.GroupExecute) ? "x" : "-")
        + (mode.HasFlag(UnixFileMode.OtherRead) ? "r" : "-") + (mode.HasFlag(UnixFileMode.OtherWrite) ? "w" : "-") + (mode.HasFlag(UnixFileMode.OtherExecute) ? "x" : "-");

    [Fact]
    public async Task Reporting_mode_backs_off_while_the_host_is_down_then_reports_on_its_interval()
    {
        await AgentBuild.RequireAsync();
        using var state = new TempDirectory();
        var token = await TokenAsync();
        using var forwarder = new TcpForwarder(FreePort.Next(), f.Host.Port);
        await using var agent = new AgentProcess("--server", $"http://127.0.0.1:{forwarder.Port}/ebpf", "--token", token,
            "--state-file", state.Combine("state.json"), "--interval", "1", "--max-backoff", "2", "--no-helpers", "--name", "flaky-link");

        // host unreachable for 4 s: retries at about 0, 1, 3 s (then every 2 s), never a flood, never a crash
        await Task.Delay(4000, Ct);
        Assert.False(agent.HasExited, agent.Log);
        var failures = agent.Count("enrollment at");
        Assert.InRange(failures, 2, 4);
        Assert.Contains("Couldn't connect", agent.Log);

        // the host comes back: the agent enrolls and reports every second
        forwarder.Start();
        using var viewer = f.Client(f.Keys["viewer"]);
        JsonObject? node = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var nodes = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes?limit=500");
            node = nodes["items"]!.AsArray().OfType<JsonObject>().SingleOrDefault(n => (string)n["name"]! == "flaky-link");
            if (node is not null && (long)node["reportCount"]! >= 2) break;
            await Task.Delay(200, Ct);
        }
        Assert.True(node is not null && (long)node["reportCount"]! >= 2, agent.Log);
        var countAt = (long)node!["reportCount"]!;
        await Task.Delay(3000, Ct);
        node = await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{(string)node["id"]!}");
        Assert.InRange((long)node["reportCount"]! - countAt, 1, 5); // about one a second, not a flood

        // the operator removes the node: the agent is refused and slows down to its longest backoff
        using var op = f.Client(f.Keys["operator"]);
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"api/v1/teams/{f.TeamId}/nodes/{(string)node["id"]!}", Ct)).StatusCode);
        deadline = DateTime.UtcNow.AddSeconds(15);
        while (agent.Count("credential no longer valid") == 0 && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
        var refused = agent.Count("credential no longer valid");
        Assert.True(refused >= 1, agent.Log);
        await Task.Delay(3000, Ct);
        Assert.False(agent.HasExited, agent.Log);
        Assert.InRange(agent.Count("credential no longer valid") - refused, 0, 2); // at most one try per --max-backoff (2 s)
        Assert.Equal(0, await agent.StopAsync());
        Assert.Contains("stopping", agent.Log);
    }

    [Fact]
    public async Task Re_enrolling_the_same_machine_keeps_its_node_and_rotates_the_credential()
    {
        await AgentBuild.RequireAsync();
        using var state = new TempDirectory();
        var stateFile = state.Combine("state.json");
        var name = "reenroll-" + Random.Shared.Next(100000, 999999);
        var first = await AgentBuild.RunAsync(AgentBuild.Agent, ["--server", f.Server, "--token", await TokenAsync(), "--state-file", stateFile, "--name", name,
            "--once", "--no-features"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(first.ExitCode == 0, first.Output);
        var firstState = JsonNode.Parse(await File.ReadAllTextAsync(stateFile, Ct))!;
        using var viewer = f.Client(f.Keys["viewer"]);
        // this machine may already be a node of the team (the other tests' agents run here too): count from here
        var reports = (long)(await GetAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes/{(string)firstState["nodeId"]!}"))["reportCount"]!;

        // the machine is reinstalled (its state file is lost) and enrolled again with a new token
        File.Delete(stateFile);
        var second = await AgentBuild.RunAsync(AgentBuild.Agent, ["--server", f.Server, "--token", await TokenAsync(), "--state-file", stateFile, "--name", name,
            "--once", "--no-features"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(second.ExitCode == 0, second.Output);
        var secondState = JsonNode.Parse(await File.ReadAllTextAsync(stateFile, Ct))!;

        Assert.Equal((string)firstState["nodeId"]!, (string)secondState["nodeId"]!);
        Assert.NotEqual((string)firstState["credential"]!, (string)secondState["credential"]!);
        var nodes = await AllAsync(viewer, $"api/v1/teams/{f.TeamId}/nodes");
        Assert.Equal(reports + 1, (long)Assert.Single(nodes, n => (string)n["name"]! == name)["reportCount"]!); // the history carried on
        // the previous credential no longer opens the node
        using var anonymous = f.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/nodes/{(string)firstState["nodeId"]!}/reports") { Content = new StringContent("{}") };
        request.Headers.Add("X-Edgeplane-Node-Credential", (string)firstState["credential"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_bad_token_stops_the_agent_with_a_clear_message()
    {
        await AgentBuild.RequireAsync();
        using var state = new TempDirectory();
        var run = await AgentBuild.RunAsync(AgentBuild.Agent, ["--server", f.Server, "--token", "epe_not-a-token", "--state-file", state.Combine("state.json")], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("enrollment refused: HTTP 401", run.Stderr);
        Assert.False(File.Exists(state.Combine("state.json")));
    }
}
