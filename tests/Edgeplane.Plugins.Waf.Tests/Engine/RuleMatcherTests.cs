using System.Diagnostics;
using System.Net;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

public sealed class RuleMatcherTests(ITestOutputHelper output)
{
    private static WafRule Rule(string id, string pattern, RuleAction action = RuleAction.Block, RuleTarget targets = RuleTarget.All, string severity = "high") =>
        new(id, pattern, action, severity, targets, ["test"]);

    private static InspectionRequest Get(string pathAndQuery, params (string, string)[] headers)
    {
        var q = pathAndQuery.IndexOf('?');
        return new InspectionRequest(IPAddress.Parse("127.0.0.1"), "GET", q < 0 ? pathAndQuery : pathAndQuery[..q], q < 0 ? "" : pathAndQuery[(q + 1)..],
            headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)).ToList(), null);
    }

    private static WafEngine Engine(params WafRule[] rules)
    {
        var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
        engine.Apply(EngineSnapshot.Empty with { Rules = new RuleMatcher(rules) });
        return engine;
    }

    [Fact]
    public void Block_log_and_allow_rules_combine()
    {
        var engine = Engine(
            Rule("sqli", "(?i)(union.*select|select.*from)"),
            Rule("log-admin", "/admin", RuleAction.Log, RuleTarget.Path),
            Rule("allow-report", "^/reports/", RuleAction.Allow, RuleTarget.Path));

        Assert.Equal(VerdictKind.Block, engine.Inspect(Get("/search?q=1%20UNION%20SELECT%20password")).Kind);
        Assert.Equal(VerdictKind.Pass, engine.Inspect(Get("/search?q=union+members")).Kind);
        var logged = engine.Inspect(Get("/admin/users"));
        Assert.Equal(VerdictKind.Pass, logged.Kind);
        Assert.Single(logged.Matches, m => m.Rule.Id == "log-admin");
        Assert.Equal(VerdictKind.Pass, engine.Inspect(Get("/reports/x?q=select%20a%20from%20b")).Kind);
        Assert.Equal(1, engine.Counters.PendingRuleHits["allow-report"]);
        Assert.Equal(1, engine.Counters.Blocked);
    }

    [Fact]
    public void Targets_restrict_where_a_rule_looks()
    {
        var engine = Engine(Rule("ua", "(?i)sqlmap", targets: RuleTarget.Headers), Rule("body", "forbidden-word", targets: RuleTarget.Body));
        Assert.Equal(VerdictKind.Pass, engine.Inspect(Get("/sqlmap?x=sqlmap")).Kind);
        Assert.Equal(VerdictKind.Block, engine.Inspect(Get("/", ("User-Agent", "sqlmap/1.7"))).Kind);
        var post = new InspectionRequest(null, "POST", "/", "", [], "a=forbidden-word", "application/x-www-form-urlencoded");
        Assert.Equal(VerdictKind.Block, engine.Inspect(post).Kind);
        Assert.Equal(VerdictKind.Pass, engine.Inspect(Get("/forbidden-word")).Kind);
    }

    [Fact]
    public void Unindexed_rules_are_found_through_combined_automata()
    {
        var rules = Enumerable.Range(0, 300).Select(i => Rule("n" + i, $@"\d{{{i + 3}}}x{i % 7}")).ToList();
        var matcher = new RuleMatcher(rules);
        Assert.Equal(0, matcher.IndexedCount);
        var found = new List<RuleMatcher.RuleMatch>();
        matcher.Match(RuleTarget.Query, "id=" + new string('7', 150) + "x3", found);
        // \d{n}x3 matches for every n <= 150 with n % 7 == 3 (i = n-3)
        var expected = rules.Where((_, i) => i + 3 <= 150 && i % 7 == 3).Select(r => r.Id).ToHashSet();
        Assert.Equal(expected, found.Select(f => f.Rule.Id).ToHashSet());
    }

    [Fact]
    public void Encoded_attacks_are_decoded_before_matching()
    {
        var engine = Engine(DefaultRules.All.ToArray());
        string[] attacks =
        [
            "/?id=1%20union%20select%201",
            "/?id=1%2520union%2520select%25201",
            "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
            "/files?name=..%2F..%2Fetc%2Fpasswd",
            "/?u=admin'%20or%20'1'='1",
            "/?cmd=;cat%20/etc/passwd",
            "/.git/config",
            "/?x=${jndi:ldap://127.0.0.1/a}",
        ];
        foreach (var a in attacks) Assert.True(engine.Inspect(Get(a)).Kind == VerdictKind.Block, a);
        Assert.Equal(VerdictKind.Block, engine.Inspect(Get("/", ("User-Agent", "Mozilla/5.00 (Nikto/2.1.6)"))).Kind);
        string[] benign =
        [
            "/api/v1/products/12345/reviews?page=2&sort=newest",
            "/search?q=how+to+select+a+good+union+representative",
            "/blog/2024/05/why-we-moved-from-mysql-to-postgres",
            "/?email=john%40example.com&name=O%27Brien",
            "/static/js/app.min.js?v=3.2.1",
        ];
        foreach (var b in benign)
            Assert.True(engine.Inspect(Get(b, ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
                ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), ("Cookie", "session=abc123; theme=dark; id=42"))).Kind == VerdictKind.Pass, b);
    }

    [Fact]
    public void Default_rules_all_compile_and_most_are_indexed()
    {
        foreach (var rule in DefaultRules.All) Assert.True(PatternCompiler.Validate(rule.Pattern) is null, rule.Id + ": " + PatternCompiler.Validate(rule.Pattern));
        var matcher = new RuleMatcher(DefaultRules.All);
        output.WriteLine($"{matcher.IndexedCount} of {matcher.Count} default rules indexed by literal");
        Assert.True(matcher.IndexedCount * 2 > matcher.Count);
    }

    [Fact]
    public void Fifty_thousand_rules_stay_fast()
    {
        var rnd = new Random(7);
        string Word() => new(Enumerable.Range(0, rnd.Next(5, 10)).Select(_ => (char)('a' + rnd.Next(26))).ToArray());
        var rules = new List<WafRule>();
        for (var i = 0; i < 50_000; i++)
        {
            rules.Add(Rule("r" + i, (i % 4) switch
            {
                0 => $"(?i){Word()}[_-]?{Word()}",
                1 => $@"{Word()}\s*=\s*\d+{Word()}",
                2 => $@"(?i)(?:{Word()}|{Word()})\.php\?{Word()}=",
                _ => $@"/{Word()}/{Word()}\.(?:bak|old)",
            }));
        }
        rules.Add(Rule("needle", "(?i)needle-in-haystack"));
        var sw = Stopwatch.StartNew();
        var engine = Engine(rules.ToArray());
        output.WriteLine($"built 50,001 rules in {sw.ElapsedMilliseconds} ms; indexed {engine.Snapshot.Rules.IndexedCount}");
        var request = Get("/api/v1/products/12345/reviews?page=2&sort=newest",
            ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
            ("Accept", "text/html,application/xhtml+xml"), ("Host", "shop.example"));
        engine.Inspect(request);
        sw.Restart();
        const int n = 20_000;
        for (var i = 0; i < n; i++) Assert.Equal(VerdictKind.Pass, engine.Inspect(request).Kind);
        var perRequest = sw.Elapsed.TotalMicroseconds / n;
        output.WriteLine($"{perRequest:F1} µs per benign request against 50,001 rules");
        Assert.True(perRequest < 200, $"{perRequest} µs per request");
        Assert.Equal(VerdictKind.Block, engine.Inspect(Get("/x?a=NEEDLE-in-haystack")).Kind);

        // adding one rule to the set rebuilds from the compilation cache
        // (reading IndexedCount builds a matcher's literal index, which is otherwise built on its first match)
        var cache = new RuleMatcher.CompilationCache();
        Assert.Equal(engine.Snapshot.Rules.IndexedCount, new RuleMatcher(rules, cache).IndexedCount);
        sw.Restart();
        var bigger = new RuleMatcher([.. rules, Rule("one-more", "(?i)one-more-rule")], cache);
        var indexed = bigger.IndexedCount;
        output.WriteLine($"rebuilt with one more rule in {sw.ElapsedMilliseconds} ms");
        Assert.Equal(50_002, bigger.Count);
        Assert.Equal(engine.Snapshot.Rules.IndexedCount + 1, indexed);
    }

    [Fact]
    public void Default_rule_set_builds_quickly()
    {
        var sw = Stopwatch.StartNew();
        var matcher = new RuleMatcher(DefaultRules.All);
        var found = new List<RuleMatcher.RuleMatch>();
        matcher.Match(RuleTarget.Query, "q=hello world", found);
        output.WriteLine($"default rule set built and first evaluation in {sw.ElapsedMilliseconds} ms");
        Assert.Empty(found);
    }
}
