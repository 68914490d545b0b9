using System.Net;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>
/// The README's sample configuration: one host serving the Management API, the Orchestrator API and
/// the metrics on three dedicated listeners at once (the seed's 9999 / 3030 / 9090; free ports here),
/// each API reachable on its own port and not on the others.
/// </summary>
public sealed class SeedPortsTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly int _management = FreePort.Next();
    private readonly int _orchestrator = FreePort.Next();
    private readonly int _metrics = FreePort.Next();
    private HostProcess _host = null!;

    /// <summary>The README's Mounts, as environment variables, with <paramref name="ports"/> for 9999, 3030, 9090.</summary>
    public static Dictionary<string, string?> Mounts(int management, int orchestrator, int metrics)
    {
        var env = new Dictionary<string, string?>();
        void Mount(int index, int port, params string[] paths)
        {
            env[$"Edgeplane__Plugins__waf__Mounts__{index}__At"] = $":{port}";
            for (var i = 0; i < paths.Length; i++) env[$"Edgeplane__Plugins__waf__Mounts__{index}__Paths__{i}"] = paths[i];
        }
        Mount(0, management, "/api/v1/status", "/api/v1/stats", "/api/v1/rules", "/api/v1/blacklist", "/api/v1/webhooks");
        Mount(1, orchestrator, "/api/v1/nodes", "/api/v1/policy", "/api/v1/scale", "/api/v1/threats");
        Mount(2, metrics, "/metrics");
        return env;
    }

    public async ValueTask InitializeAsync() =>
        _host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Waf"], Environment = Mounts(_management, _orchestrator, _metrics) });

    private HttpClient Client(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-SecBeat-API-Key", _host.AdminKey);
        return client;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task Each_api_answers_on_its_own_port_and_not_on_the_others()
    {
        using var management = Client(_management);
        using var orchestrator = Client(_orchestrator);
        using var metrics = Client(_metrics);
        using var main = Client(_host.Port);
        string[] managementPaths = ["/api/v1/status", "/api/v1/stats", "/api/v1/rules", "/api/v1/blacklist", "/api/v1/webhooks"];
        string[] orchestratorPaths = ["/api/v1/nodes", "/api/v1/policy", "/api/v1/threats"];

        foreach (var path in managementPaths)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(management, path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(orchestrator, path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(metrics, path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(main, path));
        }
        foreach (var path in orchestratorPaths)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(orchestrator, path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(management, path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(metrics, path));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(main, path));
        }

        // Writes go to their own API: a rule on 9999, a policy and a scale request on 3030.
        using (var rule = await management.PostAsync("/api/v1/rules", Json(new { pattern = "seed-ports-canary", action = "block", severity = "high" }), Ct))
            Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        using (var misplaced = await orchestrator.PostAsync("/api/v1/rules", Json(new { pattern = "nope", action = "block", severity = "high" }), Ct))
            Assert.Equal(HttpStatusCode.NotFound, misplaced.StatusCode);
        using (var policy = await orchestrator.PostAsync("/api/v1/policy", Json(new { name = "ports", rules = new object[] { new { type = "rate_limit", value = 1000 } } }), Ct))
            Assert.Equal(HttpStatusCode.Created, policy.StatusCode);
        using (var scale = await orchestrator.PostAsync("/api/v1/scale", Json(new { action = "scale_up", count = 1 }), Ct))
            Assert.Equal(HttpStatusCode.Accepted, scale.StatusCode);
        using (var scaleOnManagement = await management.PostAsync("/api/v1/scale", Json(new { action = "scale_up", count = 1 }), Ct))
            Assert.Equal(HttpStatusCode.NotFound, scaleOnManagement.StatusCode);
        var rules = JsonNode.Parse(await management.GetStringAsync("/api/v1/rules", Ct))!;
        Assert.Contains(rules["rules"]!.AsArray(), r => (string)r!["pattern"]! == "seed-ports-canary");

        // 9090 serves the engine's Prometheus metrics (the plugin's route, not the host's exporter).
        var text = await metrics.GetStringAsync("/metrics", Ct);
        Assert.Contains("secbeat_packets_processed_total", text);
        Assert.Contains("secbeat_latency_seconds_bucket", text);
        // The plugin's /metrics is on 9090 only; the host's own exporter is on the main listener, not on the plugin's ports.
        Assert.DoesNotContain("edgeplane_plugin_state", text);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(management, "/metrics"));
        Assert.Contains("edgeplane_plugin_state", await main.GetStringAsync("/metrics", Ct));

        // Unauthenticated calls are refused on every port (the dedicated listeners are not a way around the keys).
        using var anonymous = new HttpClient();
        foreach (var url in new[] { $"http://127.0.0.1:{_management}/api/v1/status", $"http://127.0.0.1:{_orchestrator}/api/v1/nodes", $"http://127.0.0.1:{_metrics}/metrics" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url, Ct)).StatusCode);

        // The host lists the three mounts.
        using var admin = _host.AdminClient();
        var plugins = JsonNode.Parse(await admin.GetStringAsync("/api/v1/plugins", Ct))!;
        var waf = (plugins is JsonArray a ? a : plugins["plugins"]!.AsArray()).Single(p => (string)p!["id"]! == "waf")!;
        var mount = (string)waf["mount"]!;
        Assert.Contains($":{_management}", mount);
        Assert.Contains($":{_orchestrator}", mount);
        Assert.Contains($":{_metrics}", mount);
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
