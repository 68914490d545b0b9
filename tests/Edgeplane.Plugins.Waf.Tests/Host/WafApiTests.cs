using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>The Management and Orchestrator APIs on the real host, enforced by the plugin's proxy in front of a real upstream.</summary>
public sealed partial class WafApiTests(WafHostFixture f) : IClassFixture<WafHostFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Credentials_are_required_and_the_seed_header_is_accepted()
    {
        using var anonymous = await f.Host.Client.GetAsync("/waf/api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var status = await f.GetAsync("api/v1/status");
        Assert.Equal("running", (string)status["status"]!);
        Assert.Equal("l7", (string)status["mode"]!);
        Assert.Equal("healthy", (string)status["health"]!);
        Assert.NotNull(status["connections"]!["active"]);
        Assert.NotNull(status["uptime_seconds"]);
        using var bearer = f.Host.AdminClient();
        using var viaBearer = await bearer.GetAsync("/waf/api/v1/stats", Ct);
        Assert.Equal(HttpStatusCode.OK, viaBearer.StatusCode);
    }

    [Fact]
    public async Task The_engine_guards_the_hosts_own_routes_when_configured()
    {
        using var benign = await f.Host.Client.GetAsync("/api/v1/plugins", Ct);
        Assert.NotEqual(HttpStatusCode.Forbidden, benign.StatusCode);
        using var attack = await f.Host.Client.GetAsync("/api/v1/plugins?q=%3Cscript%3Ealert(1)%3C/script%3E", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, attack.StatusCode);
        Assert.Contains("requestId", await attack.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_proxy_and_the_host_guard_see_no_end_where_an_oversize_body_is_cut()
    {
        var rule = await f.PostAsync("api/v1/rules", new { pattern = "^(a+)+$", action = "block", severity = "high", targets = new[] { "body" } });
        try
        {
            var oversize = new string('a', 64 * 1024 + 10) + "b";
            async Task<HttpStatusCode> PostAsync(HttpClient client, string target, string body)
            {
                using var response = await client.PostAsync(target, new StringContent(body, Encoding.UTF8, "text/plain"), Ct);
                return response.StatusCode;
            }
            foreach (var (client, target) in new[] { (f.Proxy, "/echo"), (f.Host.Client, "/api/v1/plugins") })
            {
                Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(client, target, new string('a', 1000))); // a body that ends within the limit ends there
                Assert.NotEqual(HttpStatusCode.Forbidden, await PostAsync(client, target, oversize));
            }
        }
        finally
        {
            await f.Api.DeleteAsync($"api/v1/rules/{rule["id"]}", Ct);
        }
    }

    [Fact]
    public async Task A_viewer_key_reads_but_cannot_add_rules()
    {
        using var identity = await IdentityClient.SignInAsAdminAsync(f.Host);
        var team = await identity.CreateTeamAsync("waf-viewers-" + Guid.NewGuid().ToString("N")[..6]);
        var key = await identity.KeyForNewMemberAsync(team, "viewer");
        using var viewer = new HttpClient { BaseAddress = new Uri(f.Host.BaseAddress, "/waf/") };
        viewer.DefaultRequestHeaders.Add("X-SecBeat-API-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("api/v1/rules", Ct)).StatusCode);
        using var denied = await viewer.PostAsJsonAsync("api/v1/rules", new { pattern = "abc", action = "block", severity = "high" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("waf.rules.write", await denied.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Nodes_authenticate_with_their_own_revocable_credential()
    {
        var nodeId = "node-cred-" + Guid.NewGuid().ToString("N")[..6];
        var issued = await f.PostAsync("api/v1/nodes", new { id = nodeId });
        var credential = (string)issued["credential"]!;
        Assert.StartsWith("wafnode_", credential);
        Assert.Equal("X-Waf-Node-Key", (string)issued["header"]!);
        using var node = new HttpClient { BaseAddress = new Uri(f.Host.BaseAddress, "/waf/") };
        node.DefaultRequestHeaders.Add("X-Waf-Node-Key", credential);
        var beat = new { address = "127.0.0.1:1", mode = "l7", status = "degraded", load = 0.1, configVersion = 0 }; // not "healthy": the scale test counts healthy nodes

        using (var config = await node.GetAsync("api/v1/nodes/config", Ct)) Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        using (var own = await node.PostAsJsonAsync($"api/v1/nodes/{nodeId}/heartbeat", beat, Ct)) Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains((await f.GetAsync("api/v1/nodes"))["nodes"]!.AsArray(), n => (string)n!["id"]! == nodeId);
        // A node reports only for itself.
        using (var other = await node.PostAsJsonAsync("api/v1/nodes/someone-else/heartbeat", beat, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Contains(nodeId, await other.Content.ReadAsStringAsync(Ct));
        }
        // A node credential is not a host API key: it opens nothing else.
        using (var rules = await node.GetAsync("api/v1/rules", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, rules.StatusCode);
        // No credential, or a wrong one.
        using var anonymous = new HttpClient { BaseAddress = new Uri(f.Host.BaseAddress, "/waf/") };
        using (var none = await anonymous.GetAsync("api/v1/nodes/config", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        anonymous.DefaultRequestHeaders.Add("X-Waf-Node-Key", credential + "x");
        using (var wrong = await anonymous.GetAsync("api/v1/nodes/config", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        // Registering again rotates: the old credential stops working, the new one works.
        var rotated = (string)(await f.PostAsync("api/v1/nodes", new { id = nodeId }))["credential"]!;
        using (var old = await node.GetAsync("api/v1/nodes/config", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using var renewed = new HttpClient { BaseAddress = new Uri(f.Host.BaseAddress, "/waf/") };
        renewed.DefaultRequestHeaders.Add("X-Waf-Node-Key", rotated);
        using (var ok = await renewed.GetAsync("api/v1/nodes/config", Ct)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // Revoked: refused at once.
        Assert.Equal(HttpStatusCode.NoContent, (await f.Api.DeleteAsync($"api/v1/nodes/{nodeId}/credentials", Ct)).StatusCode);
        using (var revoked = await renewed.GetAsync("api/v1/nodes/config", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Api.DeleteAsync($"api/v1/nodes/{nodeId}/credentials", Ct)).StatusCode);

        // Validation, and who may register nodes.
        await f.PostAsync("api/v1/nodes", new { id = "bad id/with slash" }, HttpStatusCode.BadRequest);
        using var identity = await IdentityClient.SignInAsAdminAsync(f.Host);
        var team = await identity.CreateTeamAsync("waf-node-viewers-" + Guid.NewGuid().ToString("N")[..6]);
        using var viewer = new HttpClient { BaseAddress = new Uri(f.Host.BaseAddress, "/waf/") };
        viewer.DefaultRequestHeaders.Add("X-SecBeat-API-Key", await identity.KeyForNewMemberAsync(team, "viewer"));
        using (var denied = await viewer.PostAsJsonAsync("api/v1/nodes", new { id = "x" }, Ct)) Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using (var deniedConfig = await viewer.GetAsync("api/v1/nodes/config", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, deniedConfig.StatusCode);
            Assert.Contains("waf.nodes.write", await deniedConfig.Content.ReadAsStringAsync(Ct));
        }
    }

    [Fact]
    public async Task Rules_are_validated_enforced_counted_and_removed()
    {
        var before = (long)(await f.GetAsync("api/v1/rules"))["total"]!;
        using (var bad = await f.Api.PostAsJsonAsync("api/v1/rules", new { pattern = @"(\w+)\1", action = "block", severity = "high" }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!;
            Assert.Contains("linear time", (string)problem["errors"]!["pattern"]![0]!);
        }
        using (var bad = await f.Api.PostAsJsonAsync("api/v1/rules", new { pattern = "ok", action = "explode", severity = "extreme", target = "elsewhere" }, Ct))
        {
            var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!["errors"]!.AsObject();
            Assert.Equal(["action", "severity", "target"], problem.Select(p => p.Key).Order().ToArray());
        }
        Assert.Equal(before, (long)(await f.GetAsync("api/v1/rules"))["total"]!);

        var created = await f.PostAsync("api/v1/rules", new { pattern = "(?i)forbidden-(fruit|token)", action = "block", severity = "high" });
        var id = (string)created["id"]!;
        Assert.Equal("active", (string)created["status"]!);
        Assert.NotNull(created["created_at"]);
        using (var blocked = await f.Proxy.GetAsync("/shop?item=Forbidden-Fruit", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
            Assert.Equal(id, (string)(await f.GetAsync($"api/v1/blocks/{blocked.Headers.GetValues("X-Request-Id").Single()}"))["rule_id"]!);
        }
        Assert.Equal(HttpStatusCode.OK, (await f.Proxy.GetAsync("/shop?item=apple", Ct)).StatusCode);

        var rule = await f.GetAsync($"api/v1/rules/{id}");
        Assert.Equal(1, (long)rule["hits"]!);
        Assert.Equal(before + 1, (long)(await f.GetAsync("api/v1/rules"))["total"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await f.Api.DeleteAsync($"api/v1/rules/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Proxy.GetAsync("/shop?item=Forbidden-Fruit", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Api.DeleteAsync($"api/v1/rules/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Thousands_of_rules_import_in_one_request_and_are_enforced()
    {
        using (var bad = await f.Api.PostAsJsonAsync("api/v1/rules/bulk", new { rules = new object[] { new { pattern = "fine-one" }, new { pattern = "(?=x)y" } } }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("rules[1].pattern", await bad.Content.ReadAsStringAsync(Ct));
        }
        var rules = Enumerable.Range(0, 2000).Select(i => new { pattern = $"(?i)bulk-sig-{i:D5}-[a-z]+", action = "block", severity = "high", target = "query" }).ToArray();
        var created = await f.PostAsync("api/v1/rules/bulk", new { rules });
        Assert.Equal(2000, (int)created["created"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Proxy.GetAsync("/?q=BULK-SIG-01321-abc", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Proxy.GetAsync("/bulk-sig-01321-abc", Ct)).StatusCode); // query rules only
        var listed = await f.GetAsync("api/v1/rules?limit=500&offset=1800");
        Assert.True((long)listed["total"]! >= 2000);
        Assert.NotEmpty(listed["rules"]!.AsArray());
    }

    [Fact]
    public async Task Default_rules_are_listed_and_can_be_overridden()
    {
        var defaults = await f.GetAsync("api/v1/rules?source=default&limit=500");
        Assert.True((long)defaults["total"]! > 30);
        Assert.Contains(defaults["rules"]!.AsArray(), r => (string)r!["id"]! == "default-sqli-union");
        const string attack = "/?id=1%20union%20select%201";
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Proxy.GetAsync(attack, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await f.Api.DeleteAsync("api/v1/rules/default-sqli-union", Ct)).StatusCode);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await f.Proxy.GetAsync(attack, Ct)).StatusCode);
            var rule = (await f.GetAsync("api/v1/rules/default-sqli-union"));
            Assert.Equal("disabled", (string)rule["status"]!);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await f.Api.PostAsync("api/v1/rules/default-sqli-union/enable", null, Ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Proxy.GetAsync(attack, Ct)).StatusCode);
    }

    [Fact]
    public async Task Blacklist_entries_apply_to_ranges_and_expire_on_time()
    {
        using (var bad = await f.Api.PostAsJsonAsync("api/v1/blacklist", new { ip = "127.0.0.0/40", reason = "x", duration_seconds = 0 }, Ct))
        {
            var errors = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!["errors"]!.AsObject();
            Assert.Equal(["duration_seconds", "ip"], errors.Select(e => e.Key).Order().ToArray());
        }
        var v6 = await f.PostAsync("api/v1/blacklist", new { ip = "2001:db8::/32", reason = "ipv6 range" });
        Assert.Equal("2001:db8::/32", (string)v6["ip"]!);
        Assert.Null(v6["expires_at"]);

        var entry = await f.PostAsync("api/v1/blacklist", new { ip = "127.0.0.0/8", reason = "repeated attacks", duration_seconds = 3 });
        var expiresAt = DateTimeOffset.Parse((string)entry["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        using (var blocked = await f.Proxy.GetAsync("/anything", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
            Assert.Contains("repeated attacks", (string)(await f.GetAsync($"api/v1/blocks/{blocked.Headers.GetValues("X-Request-Id").Single()}"))["reason"]!);
        }
        var list = await f.GetAsync("api/v1/blacklist");
        Assert.Contains(list["entries"]!.AsArray(), e => (string)e!["id"]! == (string)entry["id"]!);
        Assert.True(await f.EventuallyAsync("/anything", HttpStatusCode.OK, TimeSpan.FromSeconds(10)));
        // it stopped applying at its expiry (host and test share the clock), not before and not much later
        Assert.InRange(DateTimeOffset.UtcNow, expiresAt, expiresAt.AddSeconds(3));

        var permanent = await f.PostAsync("api/v1/blacklist", new { ip = "127.0.0.1", reason = "manual" });
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Proxy.GetAsync("/anything", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await f.Api.DeleteAsync($"api/v1/blacklist/{permanent["id"]}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Proxy.GetAsync("/anything", Ct)).StatusCode);
        await f.Api.DeleteAsync($"api/v1/blacklist/{v6["id"]}", Ct);
    }

    [Fact]
    public async Task Policies_rate_limit_and_geo_block()
    {
        using (var bad = await f.Api.PostAsJsonAsync("api/v1/policy", new { name = "broken", rules = new object[] { new { type = "rate_limit", value = -1 } } }, Ct))
            Assert.Contains("rules[0].value", await bad.Content.ReadAsStringAsync(Ct));
        try
        {
            var deployed = await f.PostAsync("api/v1/policy", new { name = "strict-mode", rules = new object[] { new { type = "rate_limit", value = 5 } } });
            Assert.Equal("deployed", (string)deployed["status"]!);
            // This client's bucket outlives policy changes (another test may have just emptied it); it holds
            // one second's worth, so after a second it is full whatever came before.
            await Task.Delay(TimeSpan.FromSeconds(1.1), Ct);
            // 15 requests at once; a token bucket of 5/s with a one-second burst lets 5 through plus 5 per elapsed second
            var sw = Stopwatch.StartNew();
            var codes = await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => f.Proxy.GetAsync("/burst", Ct)));
            var elapsed = sw.Elapsed.TotalSeconds;
            var limited = codes.First(c => c.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.NotNull(limited.Headers.RetryAfter);
            Assert.InRange(codes.Count(c => c.StatusCode == HttpStatusCode.OK), 5, 5 + (int)Math.Ceiling(5 * elapsed));

            // the seed's example: geo_block CN, RU (the test's CSV maps 127.0.0.0/8 to CN)
            await f.PostAsync("api/v1/policy", new { name = "strict-mode", rules = new object[] { new { type = "rate_limit", value = 1000 }, new { type = "geo_block", countries = new[] { "CN", "RU" } } } });
            using var geo = await f.Proxy.GetAsync("/from-cn", Ct);
            Assert.Equal(HttpStatusCode.Forbidden, geo.StatusCode);
            Assert.Equal("geo_block", (string)(await f.GetAsync($"api/v1/blocks/{geo.Headers.GetValues("X-Request-Id").Single()}"))["attack_type"]!);
            var policies = await f.GetAsync("api/v1/policy");
            Assert.Equal("strict-mode", (string)policies["policies"]![0]!["name"]!);
        }
        finally
        {
            await f.PostAsync("api/v1/policy", new { name = "open", rules = Array.Empty<object>() });
        }
        Assert.Equal(HttpStatusCode.OK, (await f.Proxy.GetAsync("/from-cn", Ct)).StatusCode);
    }

    [Fact]
    public async Task Stats_threats_scale_and_metrics_report_real_traffic()
    {
        for (var i = 0; i < 3; i++) await f.Proxy.GetAsync("/?q=%3Cscript%3Ealert(1)%3C/script%3E", Ct);
        var stats = await f.GetAsync("api/v1/stats");
        Assert.True((long)stats["packets_processed"]! >= 3);
        Assert.True((long)stats["attacks_blocked"]! >= 3);
        Assert.NotNull(stats["memory_mb"]);
        var threats = await f.GetAsync("api/v1/threats");
        Assert.Contains(threats["top_attackers"]!.AsArray(), a => (string)a!["ip"]! == "127.0.0.1" && (long)a["attacks"]! >= 3);
        Assert.True((long)threats["attack_types"]!["xss"]! >= 3);

        // the seed's curl for /scale sends no JSON content type
        using var scale = await f.Api.PostAsync("api/v1/scale", new StringContent("""{"action": "scale_up", "count": 2}""", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, scale.StatusCode);
        var scaled = JsonNode.Parse(await scale.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(1, (int)scaled["current_nodes"]!); // this host's proxy; the heartbeats of the other tests are not healthy
        Assert.Equal(3, (int)scaled["desired_nodes"]!);
        // a request changes no node: the next one still reports the nodes that really run
        using var again = await f.Api.PostAsync("api/v1/scale", new StringContent("""{"action": "scale_down", "count": 1}"""), Ct);
        var scaledAgain = JsonNode.Parse(await again.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(1, (int)scaledAgain["current_nodes"]!);
        Assert.Equal(0, (int)scaledAgain["desired_nodes"]!);
        using var badScale = await f.Api.PostAsync("api/v1/scale", new StringContent("""{"action": "explode"}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badScale.StatusCode);

        var nodes = await f.GetAsync("api/v1/nodes");
        Assert.Equal("node-1", (string)nodes["nodes"]![0]!["id"]!);

        var metrics = await f.Api.GetStringAsync("metrics", Ct);
        Assert.Contains("secbeat_packets_processed_total ", metrics);
        Assert.Contains("secbeat_latency_seconds_bucket{le=\"+Inf\"}", metrics);
        if (File.Exists("/usr/bin/promtool"))
        {
            var info = new ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(info)!;
            await p.StandardInput.WriteAsync(metrics);
            p.StandardInput.Close();
            var err = await p.StandardError.ReadToEndAsync(Ct);
            await p.WaitForExitAsync(Ct);
            Assert.True(p.ExitCode == 0, err);
        }
    }

    [Fact]
    public async Task Webhooks_are_signed_and_retried_after_a_failure()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n == 1 ? 500 : 204;
        var hook = await f.PostAsync("api/v1/webhooks", new { url = new Uri(receiver.Url, "/hooks/secbeat").ToString(), events = new[] { "attack_detected" } });
        var secret = (string)hook["secret"]!;
        try
        {
            using var blocked = await f.Proxy.GetAsync("/?file=..%2F..%2Fetc%2Fpasswd", Ct);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (receiver.Calls.Count(c => c.Answered == 204) == 0 && DateTime.UtcNow < deadline) await Task.Delay(200, Ct);
            var calls = receiver.Calls.ToArray();
            Assert.True(calls.Length >= 2, $"{calls.Length} calls");
            Assert.Equal(500, calls[0].Answered);
            var ok = calls.First(c => c.Answered == 204);
            Assert.Equal(calls[0].Header("X-Edgeplane-Delivery"), ok.Header("X-Edgeplane-Delivery"));
            Assert.Equal("attack_detected", ok.Header("X-Edgeplane-Event"));
            Assert.Equal("attack_detected", ok.Header("X-SecBeat-Event"));
            // The host's signature: t=<unix seconds>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")), computed here independently.
            var t = ok.Header("X-Edgeplane-Signature").Split(',')[0]["t=".Length..];
            var expected = $"t={t},v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{ok.Body}")));
            Assert.Equal(expected, ok.Header("X-Edgeplane-Signature"));
            Assert.InRange(long.Parse(t), DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
            Assert.All(calls, c => Assert.True(Edgeplane.Abstractions.Webhooks.WebhookSignature.Verify(secret, c.Header("X-Edgeplane-Signature"), c.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
            var payload = JsonNode.Parse(ok.Body)!;
            Assert.Equal("attack_detected", (string)payload["event"]!);
            Assert.Equal("node-1", (string)payload["node_id"]!);
            Assert.Equal("path_traversal", (string)payload["data"]!["attack_type"]!);
            Assert.Equal("127.0.0.1", (string)payload["data"]!["source_ip"]!);
            Assert.Equal(blocked.Headers.GetValues("X-Request-Id").Single(), (string)payload["data"]!["request_id"]!);

            // The receiver has answered; the dispatcher records the outcome just after.
            JsonNode d;
            do
            {
                var deliveries = await f.GetAsync($"api/v1/webhooks/{hook["id"]}/deliveries");
                d = deliveries["deliveries"]!.AsArray().First(x => (string)x!["id"]! == ok.Header("X-Edgeplane-Delivery"))!;
                if ((string)d["status"]! == "delivered") break;
                await Task.Delay(100, Ct);
            }
            while (DateTime.UtcNow < deadline);
            Assert.Equal("delivered", (string)d["status"]!);
            Assert.Equal(2, (long)d["attempts"]!);
            Assert.Equal(204, (long)d["last_status_code"]!);
            // The secret is shown once: neither the list nor the log carries it.
            var listed = await f.Api.GetStringAsync("api/v1/webhooks", Ct);
            Assert.Contains((string)hook["id"]!, listed);
            Assert.DoesNotContain(secret, listed);
            Assert.DoesNotContain("secret", listed);
        }
        finally
        {
            await f.Api.DeleteAsync($"api/v1/webhooks/{hook["id"]}", Ct);
        }
    }
}
