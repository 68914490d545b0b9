using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Waf.Tests.Proxy;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>The real host with the CRS configured: status, the rule list with hits, operator rules beside it, and a bad rule file failing the plugin.</summary>
public sealed class CrsHostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_host_enforces_lists_and_counts_the_crs_with_operator_rules()
    {
        await using var crs = await CrsHost.StartAsync(("InboundAnomalyThreshold", "5"));
        var (api, proxy) = (crs.Api, crs.Proxy);

        var status = JsonNode.Parse(await api.GetStringAsync("api/v1/status", Ct))!["crs"]!;
        Assert.Equal(1, (int)status["paranoia_level"]!);
        Assert.Equal(5, (int)status["inbound_anomaly_threshold"]!);
        Assert.True((int)status["rules"]! > 500);

        using (var ok = await proxy.GetAsync("/shop/items?page=2", Ct)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        // responses are not inspected unless the operator turns it on
        Assert.Contains("SQL syntax", await proxy.GetStringAsync("/page/sql-error", Ct));
        using (var attack = await proxy.GetAsync("/shop/items?id=1%27%20OR%20%271%27=%271", Ct)) Assert.Equal(HttpStatusCode.Forbidden, attack.StatusCode);

        // an operator's rule is enforced beside the CRS
        using (var created = await api.PostAsJsonAsync("api/v1/rules", new { pattern = "quux-contraband", action = "block", severity = "high", targets = "query" }, Ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode code;
        do
        {
            using var r = await proxy.GetAsync("/x?q=quux-contraband", Ct);
            code = r.StatusCode;
        } while (code != HttpStatusCode.Forbidden && DateTime.UtcNow < deadline && await Task.Delay(100, Ct).ContinueWith(_ => true, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, code);

        var list = JsonNode.Parse(await api.GetStringAsync("api/v1/rules?source=crs&limit=10", Ct))!;
        Assert.True((int)list["total"]! > 500);
        Assert.All(list["rules"]!.AsArray(), r => Assert.Equal("crs", (string)r!["source"]!));
        var sqli = JsonNode.Parse(await api.GetStringAsync("api/v1/rules/crs-942100", Ct))!;
        Assert.Equal("crs", (string)sqli["source"]!);
        Assert.Contains("attack-sqli", sqli["tags"]!.AsArray().Select(t => (string)t!));
        Assert.True((long)sqli["hits"]! >= 1);
        // hits survive the flush to the database
        await Task.Delay(3000, Ct);
        var one = JsonNode.Parse(await api.GetStringAsync("api/v1/rules/crs-942100", Ct))!;
        Assert.True((long)one["hits"]! >= 1);
        using var bad = await api.GetAsync("api/v1/rules?source=nope", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("crs", await bad.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task With_response_inspection_on_a_response_leaking_an_sql_error_is_replaced_by_a_403()
    {
        await using var crs = await CrsHost.StartAsync(("Proxy__InspectResponses", "true"), ("Proxy__MaxInspectResponseBodyBytes", "4096"));
        var (api, proxy) = (crs.Api, crs.Proxy);

        using (var page = await proxy.GetAsync("/page", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("<html><body><h1>Blue teapot</h1><p>In stock: 3</p></body></html>", await page.Content.ReadAsStringAsync(Ct));
        }

        using (var leak = await proxy.GetAsync("/page/sql-error", Ct))
        {
            var text = await leak.Content.ReadAsStringAsync(Ct);
            Assert.True(leak.StatusCode == HttpStatusCode.Forbidden, $"{(int)leak.StatusCode}: {text}");
            Assert.DoesNotContain("SQL syntax", text);
            Assert.StartsWith("application/problem+json", leak.Content.Headers.ContentType?.ToString());
            var block = JsonNode.Parse(await api.GetStringAsync($"api/v1/blocks/{leak.Headers.GetValues("X-Request-Id").Single()}", Ct))!;
            Assert.Equal("crs-959100", (string?)block["rule_id"]);
            Assert.Contains("response", (string?)block["reason"]);
            Assert.Contains("951", (string?)block["reason"]);
        }

        // Only the first MaxInspectResponseBodyBytes are inspected (ModSecurity's ProcessPartial): the rest streams through whole.
        using (var past = await proxy.GetAsync("/page/sql-error?pad=10000", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, past.StatusCode);
            var text = await past.Content.ReadAsStringAsync(Ct);
            Assert.EndsWith(Upstream.SqlError + "</body></html>", text);
            Assert.Equal(10000 + 64 + Upstream.SqlError.Length, text.Length);
        }

        // Media types that are not text are never buffered: a large binary stream passes whole.
        using (var stream = await proxy.GetAsync("/stream?n=300000", Ct))
            Assert.Equal(300000, (await stream.Content.ReadAsByteArrayAsync(Ct)).Length);

        var rule = JsonNode.Parse(await api.GetStringAsync("api/v1/rules/crs-959100", Ct))!;
        Assert.True((long)rule["hits"]! >= 1);
    }

    /// <summary>The host with only the WAF plugin, the CRS on (its own default rules off) and its proxy in front of an <see cref="Upstream"/>.</summary>
    private sealed class CrsHost : IAsyncDisposable
    {
        private Upstream _upstream = null!;
        private HostProcess _host = null!;

        /// <summary>The WAF API with the admin's key.</summary>
        public HttpClient Api { get; private set; } = null!;
        public HttpClient Proxy { get; private set; } = null!;

        /// <param name="settings">More <c>Edgeplane:Plugins:waf</c> settings, as environment variable suffixes (<c>Proxy__X</c>).</param>
        public static async Task<CrsHost> StartAsync(params (string Key, string Value)[] settings)
        {
            var crs = new CrsHost { _upstream = await Upstream.StartAsync() };
            var proxyAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            var environment = new Dictionary<string, string?>
            {
                ["Edgeplane__Plugins__waf__Proxy__Upstream"] = crs._upstream.Address.ToString(),
                ["Edgeplane__Plugins__waf__Proxy__Listen"] = proxyAddress.ToString(),
                ["Edgeplane__Plugins__waf__CoreRuleSet"] = "true",
                ["Edgeplane__Plugins__waf__DefaultRuleSet"] = "false",
            };
            foreach (var (key, value) in settings) environment["Edgeplane__Plugins__waf__" + key] = value;
            crs._host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Waf"], Environment = environment });
            crs.Api = new HttpClient { BaseAddress = new Uri(crs._host.BaseAddress, "/waf/"), Timeout = TimeSpan.FromSeconds(120) };
            crs.Api.DefaultRequestHeaders.Add("X-SecBeat-API-Key", crs._host.AdminKey);
            crs.Proxy = new HttpClient { BaseAddress = proxyAddress, Timeout = TimeSpan.FromSeconds(30) };
            return crs;
        }

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            Proxy.Dispose();
            await _host.DisposeAsync();
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_rule_file_that_cannot_load_fails_the_plugin_naming_the_line()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("local.conf");
        await File.WriteAllTextAsync(file, "SecRule ARGS \"@rx x\" \"id:1,phase:2,dney\"\n", Ct);
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Waf"],
            Environment = new()
            {
                ["Edgeplane__Plugins__waf__RuleFiles__0"] = file,
                ["Edgeplane__Plugins__waf__Proxy__Enabled"] = "false",
            },
        });
        using var admin = host.AdminClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonNode waf;
        do
        {
            var plugins = JsonNode.Parse(await admin.GetStringAsync("/api/v1/plugins", Ct))!;
            waf = (plugins is JsonArray a ? a : plugins["plugins"]!.AsArray()).Single(p => (string)p!["id"]! == "waf")!;
            if ((string?)waf["state"] is "Failed" or "failed") break;
            await Task.Delay(200, Ct);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal("failed", ((string?)waf["state"])?.ToLowerInvariant());
        Assert.Contains("local.conf:1", (string?)waf["reason"]);
        Assert.Contains("dney", (string?)waf["reason"]);
    }
}
