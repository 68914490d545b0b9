using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Waf.Tests.Proxy;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>
/// Two real hosts: an orchestrator serving the plugin on a dedicated listener (the seed's URLs with no
/// prefix) and a node in the node role that pulls its configuration, heartbeats and runs the proxy.
/// </summary>
public sealed class FleetTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _orchestratorData = new();
    private readonly TempDirectory _nodeData = new();
    private readonly int _orchestratorPort = FreePort.Next();
    private readonly int _proxyPort = FreePort.Next();
    private readonly string _adminKey = "ep_fleet_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
    private Upstream _upstream = null!;
    private HostProcess? _orchestrator;
    private HostProcess? _node;
    private string? _nodeKey;

    private Uri OrchestratorUrl => new($"http://127.0.0.1:{_orchestratorPort}/");

    public async ValueTask InitializeAsync() => _upstream = await Upstream.StartAsync();

    private Task<HostProcess> StartOrchestratorAsync() => HostProcess.StartAsync(new HostOptions
    {
        Plugins = ["Edgeplane.Plugins.Waf"],
        DataDirectory = _orchestratorData.Path,
        Environment = new()
        {
            ["Edgeplane__Bootstrap__AdminApiKey"] = _adminKey,
            ["Edgeplane__Plugins__waf__Mount"] = OrchestratorUrl.ToString().TrimEnd('/'),
            ["Edgeplane__Plugins__waf__Role"] = "orchestrator",
            ["Edgeplane__Plugins__waf__NodeHealthTimeoutSeconds"] = "3",
            ["Edgeplane__Plugins__waf__NodeCredentialsOnly"] = "true",
        },
    });

    private Task<HostProcess> StartNodeAsync() => HostProcess.StartAsync(new HostOptions
    {
        Plugins = ["Edgeplane.Plugins.Waf"],
        DataDirectory = _nodeData.Path,
        Environment = new()
        {
            ["Edgeplane__Plugins__waf__Role"] = "node",
            ["Edgeplane__Plugins__waf__NodeId"] = "node-a",
            ["Edgeplane__Plugins__waf__SyncIntervalSeconds"] = "0.5",
            ["Edgeplane__Plugins__waf__Orchestrator__Url"] = OrchestratorUrl.ToString(),
            ["Edgeplane__Plugins__waf__Orchestrator__NodeKey"] = _nodeKey,
            ["Edgeplane__Plugins__waf__Proxy__Upstream"] = _upstream.Address.ToString(),
            ["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{_proxyPort}",
        },
    });

    /// <summary>Registers node-a with the orchestrator: its own credential, which the node is started with.</summary>
    private async Task RegisterNodeAsync()
    {
        using var api = Api();
        using var response = await api.PostAsJsonAsync("api/v1/nodes", new { id = "node-a" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        _nodeKey = (string)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["credential"]!;
    }

    private HttpClient Api()
    {
        var client = new HttpClient { BaseAddress = OrchestratorUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-SecBeat-API-Key", _adminKey);
        return client;
    }

    private async Task<HttpStatusCode> ProxyAsync(string target)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_proxyPort}") };
        for (var i = 0; ; i++)
        {
            try
            {
                using var r = await client.GetAsync(target, Ct);
                return r.StatusCode;
            }
            catch (HttpRequestException) when (i < 50)
            {
                await Task.Delay(100, Ct);
            }
        }
    }

    private async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await condition()) return true;
            await Task.Delay(200, Ct);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    [Fact]
    public async Task Policy_reaches_the_node_within_seconds_and_survives_orchestrator_restart()
    {
        _orchestrator = await StartOrchestratorAsync();
        await RegisterNodeAsync();
        _node = await StartNodeAsync();
        using var api = Api();

        // the node registers through its heartbeat and shows up healthy
        Assert.True(await EventuallyAsync(async () =>
        {
            var nodes = await api.GetFromJsonAsync<JsonObject>("api/v1/nodes", Ct);
            return nodes!["nodes"]!.AsArray().Any(n => (string)n!["id"]! == "node-a" && (string)n["status"]! == "healthy");
        }, TimeSpan.FromSeconds(15)), _node.Output);

        using (var created = await api.PostAsJsonAsync("api/v1/rules", new { pattern = "(?i)fleet-canary-one", action = "block", severity = "high" }, Ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(await EventuallyAsync(async () => await ProxyAsync("/?x=fleet-canary-one") == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(10)));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"propagation took {sw.Elapsed}");
        using (var policy = await api.PostAsJsonAsync("api/v1/policy", new { name = "strict-mode", rules = new object[] { new { type = "rate_limit", value = 1000 } } }, Ct))
            Assert.Equal(HttpStatusCode.Created, policy.StatusCode);

        // attacks seen by the node appear in the orchestrator's threat summary
        await ProxyAsync("/?q=%3Cscript%3Ealert(1)%3C/script%3E");
        Assert.True(await EventuallyAsync(async () =>
        {
            var threats = await api.GetFromJsonAsync<JsonObject>("api/v1/threats", Ct);
            return threats!["attack_types"]!["xss"] is not null;
        }, TimeSpan.FromSeconds(10)));

        // orchestrator down: the node keeps enforcing its last good configuration
        await _orchestrator.DisposeAsync();
        _orchestrator = null;
        await Task.Delay(1500, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, await ProxyAsync("/?x=fleet-canary-one"));
        Assert.Equal(HttpStatusCode.OK, await ProxyAsync("/?x=benign"));

        // and across its own restart (from the last good configuration on disk)
        await _node.DisposeAsync();
        _node = await StartNodeAsync();
        Assert.Equal(HttpStatusCode.Forbidden, await ProxyAsync("/?x=fleet-canary-one"));

        // orchestrator back: new changes flow again
        _orchestrator = await StartOrchestratorAsync();
        using var api2 = Api();
        using (var created = await api2.PostAsJsonAsync("api/v1/rules", new { pattern = "(?i)fleet-canary-two", action = "block", severity = "high" }, Ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(await EventuallyAsync(async () => await ProxyAsync("/?x=fleet-canary-two") == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(10)), _node.Output);
        Assert.Equal(HttpStatusCode.Forbidden, await ProxyAsync("/?x=fleet-canary-one"));
    }

    [Fact]
    public async Task A_node_that_stops_heartbeating_is_reported_unhealthy()
    {
        _orchestrator = await StartOrchestratorAsync();
        await RegisterNodeAsync();
        _node = await StartNodeAsync();
        using var api = Api();
        async Task<string?> Status()
        {
            var nodes = await api.GetFromJsonAsync<JsonObject>("api/v1/nodes", Ct);
            return (string?)nodes!["nodes"]!.AsArray().FirstOrDefault(n => (string)n!["id"]! == "node-a")?["status"];
        }
        async Task<int> CurrentNodes()
        {
            using var scale = await api.PostAsJsonAsync("api/v1/scale", new { action = "scale_up", count = 1 }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, scale.StatusCode);
            return (int)(await scale.Content.ReadFromJsonAsync<JsonObject>(Ct))!["current_nodes"]!;
        }
        Assert.True(await EventuallyAsync(async () => await Status() == "healthy", TimeSpan.FromSeconds(15)));
        Assert.Equal(1, await CurrentNodes());
        Assert.Equal(1, await CurrentNodes()); // the previous request started nothing
        await _node.DisposeAsync();
        _node = null;
        Assert.True(await EventuallyAsync(async () => await Status() == "unhealthy", TimeSpan.FromSeconds(15)));
        Assert.Equal(0, await CurrentNodes());
    }

    [Fact]
    public async Task A_revoked_node_is_refused_and_keeps_enforcing_its_last_good_configuration()
    {
        _orchestrator = await StartOrchestratorAsync();
        await RegisterNodeAsync();
        _node = await StartNodeAsync();
        using var api = Api();
        using (var created = await api.PostAsJsonAsync("api/v1/rules", new { pattern = "(?i)revoke-canary-one", action = "block", severity = "high" }, Ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(await EventuallyAsync(async () => await ProxyAsync("/?x=revoke-canary-one") == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(15)), _node.Output);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("api/v1/nodes/node-a/credentials", Ct)).StatusCode);
        using var asNode = new HttpClient { BaseAddress = OrchestratorUrl };
        asNode.DefaultRequestHeaders.Add("X-Waf-Node-Key", _nodeKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asNode.GetAsync("api/v1/nodes/config", Ct)).StatusCode);

        // The node's heartbeats are refused: it goes unhealthy; new rules no longer reach it; the old ones still apply.
        using (var created = await api.PostAsJsonAsync("api/v1/rules", new { pattern = "(?i)revoke-canary-two", action = "block", severity = "high" }, Ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(await EventuallyAsync(async () =>
        {
            var nodes = await api.GetFromJsonAsync<JsonObject>("api/v1/nodes", Ct);
            return nodes!["nodes"]!.AsArray().Any(n => (string)n!["id"]! == "node-a" && (string)n["status"]! == "unhealthy");
        }, TimeSpan.FromSeconds(15)));
        Assert.Equal(HttpStatusCode.OK, await ProxyAsync("/?x=revoke-canary-two"));
        Assert.Equal(HttpStatusCode.Forbidden, await ProxyAsync("/?x=revoke-canary-one"));
        Assert.Contains("401", _node.Output);
    }

    [Fact]
    public async Task Attacks_blocked_on_a_node_raise_each_webhook_event_once_on_the_orchestrator()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _orchestrator = await StartOrchestratorAsync();
        using (var api = Api())
        using (var hook = await api.PostAsJsonAsync("api/v1/webhooks", new { url = new Uri(receiver.Url, "/hooks").ToString(), events = new[] { "attack_detected", "rule_triggered" } }, Ct))
            Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        await RegisterNodeAsync();
        _node = await StartNodeAsync();

        List<JsonNode> Received(string name) =>
            receiver.Calls.Where(c => c.Header("X-Edgeplane-Event") == name).Select(c => JsonNode.Parse(c.Body)!).ToList();
        async Task ExpectOnceAsync(string attackType)
        {
            Assert.True(await EventuallyAsync(() => Task.FromResult(Received("attack_detected").Any(p => (string)p["data"]!["attack_type"]! == attackType)),
                TimeSpan.FromSeconds(60)), _node!.Output + "\n--- orchestrator ---\n" + _orchestrator?.Output);
            await Task.Delay(TimeSpan.FromSeconds(5), Ct); // a few heartbeats: a repeated event would be here by now
            var attacks = Received("attack_detected").Where(p => (string)p["data"]!["attack_type"]! == attackType).ToList();
            var attack = Assert.Single(attacks);
            Assert.Equal("node-a", (string)attack["node_id"]!);
            Assert.Equal("127.0.0.1", (string)attack["data"]!["source_ip"]!);
            var triggered = Received("rule_triggered").Select(p => (string)p["data"]!["rule_id"]!).ToList();
            Assert.Contains(triggered, id => id == (string)attack["data"]!["rule_id"]!);
            Assert.Equal(triggered.Distinct().Count(), triggered.Count);
        }

        Assert.Equal(HttpStatusCode.Forbidden, await ProxyAsync("/?q=%3Cscript%3Ealert(1)%3C/script%3E"));
        await ExpectOnceAsync("xss");

        // blocked while the orchestrator is down: the node keeps the events and hands them over once it is back
        // (stopped gracefully: after a kill the new instance would wait for the dead one's webhook delivery lease)
        await _orchestrator.StopAsync();
        await _orchestrator.DisposeAsync();
        _orchestrator = null;
        Assert.Equal(HttpStatusCode.Forbidden, await ProxyAsync("/?id=1%20union%20select%20password%20from%20users"));
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        _orchestrator = await StartOrchestratorAsync();
        await ExpectOnceAsync("sqli");
        Assert.Single(Received("attack_detected"), p => (string)p["data"]!["attack_type"]! == "xss");
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        if (_orchestrator is not null) await _orchestrator.DisposeAsync();
        await _upstream.DisposeAsync();
        _orchestratorData.Dispose();
        _nodeData.Dispose();
    }
}
