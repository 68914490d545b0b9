using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Waf.Tests.Proxy;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>The plugin's migration and every repository statement on a real PostgreSQL server.</summary>
public sealed class PostgresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Store_works_on_postgres()
    {
        if (TestDatabases.Unavailable("postgres") is { } why) Assert.Skip(why);
        using var temp = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        var proxyPort = FreePort.Next();
        var environment = await TestDatabases.CreateAsync("postgres", temp.Path);
        environment["Edgeplane__Plugins__waf__Proxy__Upstream"] = upstream.Address.ToString();
        environment["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{proxyPort}";
        environment["Edgeplane__Plugins__waf__EventThrottleSeconds"] = "0";
        await using var host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Waf"], Environment = environment });
        using var api = new HttpClient { BaseAddress = new Uri(host.BaseAddress, "/waf/") };
        api.DefaultRequestHeaders.Add("X-SecBeat-API-Key", host.AdminKey);
        using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxyPort}") };

        async Task<JsonObject> Post(string path, object body, HttpStatusCode expected = HttpStatusCode.Created)
        {
            using var r = await api.PostAsJsonAsync(path, body, Ct);
            var text = await r.Content.ReadAsStringAsync(Ct);
            Assert.True(r.StatusCode == expected, $"{path}: {(int)r.StatusCode} {text}\n{host.Output}");
            return JsonNode.Parse(text)!.AsObject();
        }

        var rule = await Post("api/v1/rules", new { pattern = "(?i)pg-canary", action = "block", severity = "critical", targets = new[] { "query", "body" }, tags = new[] { "test" } });
        Assert.Equal(HttpStatusCode.Forbidden, (await proxy.GetAsync("/?a=PG-CANARY", Ct)).StatusCode);
        await Post("api/v1/blacklist", new { ip = "2001:db8::/48", reason = "v6", duration_seconds = 60 });
        await Post("api/v1/policy", new { name = "p1", rules = new object[] { new { type = "rate_limit", value = 1000 }, new { type = "rule_set", name = "default", enabled = true } } });
        await Post("api/v1/policy", new { name = "p1", rules = new object[] { new { type = "rate_limit", value = 2000 } } });
        var hook = await Post("api/v1/webhooks", new { url = "http://127.0.0.1:9/unused", events = new[] { "rule_triggered" } });
        Assert.Equal(HttpStatusCode.Forbidden, (await proxy.GetAsync("/?a=pg-canary-again", Ct)).StatusCode);
        await Post("api/v1/nodes/node-x/heartbeat", new { address = "127.0.0.1:1", mode = "l7", status = "healthy", load = 0.5, configVersion = 3, ruleHits = new Dictionary<string, long> { [(string)rule["id"]!] = 5, ["default-xss-script"] = 2 } }, HttpStatusCode.OK);
        using (var scale = await api.PostAsJsonAsync("api/v1/scale", new { action = "scale_up", count = 1 }, Ct)) Assert.Equal(HttpStatusCode.Accepted, scale.StatusCode);
        await Task.Delay(2500, Ct); // hit counts are flushed every 2 s

        var rules = await api.GetFromJsonAsync<JsonObject>("api/v1/rules", Ct);
        Assert.True((long)rules!["rules"]![0]!["hits"]! >= 7);
        Assert.Equal(1, (long)(await api.GetFromJsonAsync<JsonObject>("api/v1/blacklist", Ct))!["total"]!);
        Assert.Equal(1, (long)(await api.GetFromJsonAsync<JsonObject>("api/v1/policy", Ct))!["total"]!);
        Assert.Contains((await api.GetFromJsonAsync<JsonObject>("api/v1/nodes", Ct))!["nodes"]!.AsArray(), n => (string)n!["id"]! == "node-x");
        Assert.True((long)(await api.GetFromJsonAsync<JsonObject>("api/v1/rules/default-xss-script", Ct))!["hits"]! >= 2);
        var deliveries = await api.GetFromJsonAsync<JsonObject>($"api/v1/webhooks/{hook["id"]}/deliveries", Ct);
        Assert.NotEmpty(deliveries!["deliveries"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/v1/webhooks/{hook["id"]}", Ct)).StatusCode);
        // node credentials: issued, rotated, used, revoked
        await Post("api/v1/nodes", new { id = "pg-node" });
        var credential = (string)(await Post("api/v1/nodes", new { id = "pg-node" }))["credential"]!;
        using (var asNode = new HttpClient { BaseAddress = api.BaseAddress })
        {
            asNode.DefaultRequestHeaders.Add("X-Waf-Node-Key", credential);
            Assert.Equal(HttpStatusCode.OK, (await asNode.GetAsync("api/v1/nodes/config", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("api/v1/nodes/pg-node/credentials", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await asNode.GetAsync("api/v1/nodes/config", Ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/v1/rules/{rule["id"]}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await proxy.GetAsync("/?a=PG-CANARY", Ct)).StatusCode);
    }
}
