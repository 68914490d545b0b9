using System.Net;
using System.Text;
using System.Text.Json;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Proxy;

namespace Edgeplane.Plugins.Waf.Tests.Proxy;

/// <summary>Bodies larger than the inspection limit, through the real proxy: the cut is not an end, and what happens to them is a setting.</summary>
public sealed class OversizeBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const int Limit = 64 * 1024;

    private static async Task<(WafProxy Proxy, HttpClient Client, Upstream Upstream)> StartAsync(string oversizeBody, params WafRule[] rules)
    {
        var upstream = await Upstream.StartAsync();
        var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
        var matcher = new RuleMatcher(rules);
        matcher.Compile();
        engine.Apply(EngineSnapshot.Empty with { Rules = matcher });
        var proxy = new WafProxy(engine, new WafProxyOptions
        {
            Listen = "http://127.0.0.1:0", Upstream = upstream.Address.ToString(), MaxInspectBodyBytes = Limit, OversizeBody = oversizeBody,
        });
        await proxy.StartAsync(Ct);
        return (proxy, new HttpClient { BaseAddress = proxy.Address }, upstream);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string body) =>
        client.PostAsync("/echo", new StringContent(body, Encoding.UTF8, "text/plain"), Ct);

    [Theory]
    [InlineData(@"^(a+)+$")]
    [InlineData(@"a\z")]
    [InlineData(@"(?m)a$")]
    [InlineData(@"a(?:$|;)")]
    public async Task An_end_anchor_does_not_match_where_the_inspected_part_of_a_body_is_cut(string pattern)
    {
        var (proxy, client, upstream) = await StartAsync("pass", new WafRule("anchored", pattern, RuleAction.Block, "high", RuleTarget.Body, ["test"]));
        await using (proxy)
        await using (upstream)
        using (client)
        {
            var oversize = new string('a', Limit + 10) + "b";
            using (var passed = await PostAsync(client, oversize))
            {
                Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
                Assert.Equal(Encoding.UTF8.GetBytes(oversize), await passed.Content.ReadAsByteArrayAsync(Ct)); // forwarded whole
            }
            // a body that ends within the limit really ends there
            using var blocked = await PostAsync(client, new string('a', 1000));
            Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        }
    }

    [Fact]
    public async Task An_attack_in_the_inspected_part_of_an_oversize_body_is_blocked_and_a_body_of_exactly_the_limit_is_not_cut()
    {
        var (proxy, client, upstream) = await StartAsync("pass", [.. DefaultRules.All, new WafRule("anchored", "^(a+)+$", RuleAction.Block, "high", RuleTarget.Body, ["test"])]);
        await using (proxy)
        await using (upstream)
        using (client)
        {
            using var attack = await PostAsync(client, "<script>alert(1)</script>" + new string('x', 2 * Limit));
            Assert.Equal(HttpStatusCode.Forbidden, attack.StatusCode);
            using var exact = await PostAsync(client, new string('a', Limit));
            Assert.Equal(HttpStatusCode.Forbidden, exact.StatusCode);
            using var over = await PostAsync(client, new string('a', Limit + 1));
            Assert.Equal(HttpStatusCode.OK, over.StatusCode);
        }
    }

    [Fact]
    public async Task With_oversize_body_block_a_body_over_the_limit_is_refused_with_413()
    {
        var (proxy, client, upstream) = await StartAsync("block", [.. DefaultRules.All]);
        await using (proxy)
        await using (upstream)
        using (client)
        {
            var before = upstream.Requests;
            using var refused = await PostAsync(client, new string('x', Limit + 1));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
            Assert.Contains("MaxInspectBodyBytes", problem.RootElement.GetProperty("detail").GetString());
            Assert.Equal(refused.Headers.GetValues("X-Request-Id").Single(), problem.RootElement.GetProperty("requestId").GetString());
            Assert.Equal(before, upstream.Requests);
            using var fits = await PostAsync(client, new string('x', Limit));
            Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        }
    }
}
