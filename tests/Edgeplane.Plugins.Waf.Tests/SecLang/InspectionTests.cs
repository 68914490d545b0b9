using System.Net;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Proxy;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Parsing;
using Edgeplane.Plugins.Waf.Tests.Proxy;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>The CRS wired into the WAF's inspection: verdicts, operator rules beside it, settings, and the real proxy.</summary>
public sealed class InspectionTests
{
    private static readonly Lazy<SecLangInspector> Crs = new(() => SecLangInspector.Load(new WafOptions { CoreRuleSet = true })!);

    private static Verdict Inspect(SecLangInspector crs, string path, string query = "", params WafRule[] operatorRules)
    {
        var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
        var matcher = new RuleMatcher(operatorRules);
        engine.Apply(EngineSnapshot.Empty with { Rules = matcher, SecLang = crs, Version = "t" });
        return engine.Inspect(new InspectionRequest(IPAddress.Loopback, "GET", path, query,
            [new("Host", "shop.example"), new("User-Agent", "Mozilla/5.0 Firefox/128.0"), new("Accept", "text/html")], null));
    }

    [Fact]
    public void An_attack_is_blocked_by_the_anomaly_score_with_the_crs_rules_that_found_it()
    {
        var verdict = Inspect(Crs.Value, "/item", "id=1%27%20OR%20%271%27=%271");
        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal("crs-949110", verdict.Rule!.Id);
        Assert.Equal("sqli", verdict.AttackType);
        Assert.Contains(verdict.Matches, m => m.Rule.Id == "crs-942100" && m.Rule.Tags.Contains("attack-sqli") && m.Rule.Severity == "critical");
        Assert.Contains("942100", verdict.Reason);
    }

    [Fact]
    public void Ordinary_requests_pass()
    {
        var verdict = Inspect(Crs.Value, "/api/v1/products", "page=2&sort=price");
        Assert.Equal(VerdictKind.Pass, verdict.Kind);
        Assert.DoesNotContain(verdict.Matches, m => m.Rule.Action == RuleAction.Block);
    }

    [Fact]
    public void Operator_rules_are_evaluated_with_the_crs()
    {
        var allow = new WafRule("r-allow", "^/admin/import$", RuleAction.Allow, "low", RuleTarget.Path, []);
        Assert.Equal(VerdictKind.Pass, Inspect(Crs.Value, "/admin/import", "q=1%27%20OR%20%271%27=%271", allow).Kind);
        var block = new WafRule("r-block", "forbidden-word", RuleAction.Block, "high", RuleTarget.Query, ["custom"]);
        var verdict = Inspect(Crs.Value, "/x", "q=forbidden-word", block);
        Assert.Equal("r-block", verdict.Rule!.Id);
        var both = Inspect(Crs.Value, "/x", "q=%3Cscript%3Ealert(1)%3C/script%3E", block);
        Assert.Equal("crs-949110", both.Rule!.Id);
        Assert.Equal("xss", both.AttackType);
    }

    [Fact]
    public void Paranoia_level_and_threshold_are_settings_that_override_crs_setup()
    {
        // 920320 (a request without a User-Agent) is a paranoia-level-2 rule
        var pl1 = Crs.Value;
        var pl2 = SecLangInspector.Load(new WafOptions { CoreRuleSet = true, ParanoiaLevel = 2 })!;
        static SecLangResult NoUserAgent(SecLangInspector crs) => new SecLangTransaction(crs.RuleSet,
            SecLangRequest.FromText("127.0.0.1", 1, "GET", "/", "HTTP/1.1", [new("Host", "a.example"), new("Accept", "*/*")], null)).Evaluate();
        Assert.DoesNotContain(NoUserAgent(pl1).Matches, m => m.Id == 920320);
        Assert.Contains(NoUserAgent(pl2).Matches, m => m.Id == 920320);
        var lenient = SecLangInspector.Load(new WafOptions { CoreRuleSet = true, InboundAnomalyThreshold = 1000 })!;
        var verdict = Inspect(lenient, "/item", "id=1%27%20OR%20%271%27=%271");
        Assert.Equal(VerdictKind.Pass, verdict.Kind);
        Assert.Contains(verdict.Matches, m => m.Rule.Id == "crs-942100");
    }

    [Fact]
    public void Operator_rule_files_load_after_the_crs_and_a_bad_one_names_its_line()
    {
        var dir = Directory.CreateTempSubdirectory("seclang-files-");
        try
        {
            var exclusions = Path.Combine(dir.FullName, "exclusions.conf");
            File.WriteAllText(exclusions, "SecRuleRemoveById 942100\nSecRuleRemoveById 942190\n");
            var withExclusions = SecLangInspector.Load(new WafOptions { CoreRuleSet = true, RuleFiles = [exclusions] })!;
            Assert.False(withExclusions.RuleSet.ById.ContainsKey(942100));
            var bad = Path.Combine(dir.FullName, "bad.conf");
            File.WriteAllText(bad, "\nSecRule ARGS \"@rx x\" \"id:1,phase:2,dney\"\n");
            var e = Assert.Throws<SecLangException>(() => SecLangInspector.Load(new WafOptions { RuleFiles = [bad] }));
            Assert.Contains("bad.conf:2", e.Message);
            Assert.Contains("dney", e.Message);
            Assert.Throws<SecLangException>(() => SecLangInspector.Load(new WafOptions { RuleFiles = [Path.Combine(dir.FullName, "missing-*.conf")] }));
            Assert.Null(SecLangInspector.Load(new WafOptions()));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Through_the_proxy_crs_blocks_attacks_before_the_upstream_and_forwards_the_rest()
    {
        await using var upstream = await Upstream.StartAsync();
        var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
        engine.Apply(EngineSnapshot.Empty with { SecLang = Crs.Value, Version = "crs" });
        await using var proxy = new WafProxy(engine, new WafProxyOptions { Listen = "http://127.0.0.1:0", Upstream = upstream.Address.ToString() });
        await proxy.StartAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var ct = TestContext.Current.CancellationToken;
        using var ok = await client.GetAsync("/echo?page=2", ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var before = upstream.Requests;
        using var attack = await client.PostAsync("/echo", new FormUrlEncodedContent(new Dictionary<string, string> { ["cmd"] = ";cat /etc/passwd" }), ct);
        Assert.Equal(HttpStatusCode.Forbidden, attack.StatusCode);
        Assert.Equal(before, upstream.Requests);
        Assert.True(engine.Counters.PendingRuleHits.ContainsKey("crs-949110"));
    }
}
