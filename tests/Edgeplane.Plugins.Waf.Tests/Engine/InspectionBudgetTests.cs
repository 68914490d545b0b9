using System.Runtime.InteropServices;
using System.Text;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

/// <summary>No accepted pattern makes the inspection of a 64 KiB body expensive; the patterns that would are refused.</summary>
[Collection(nameof(CpuTimedTests))]
public sealed class InspectionBudgetTests
{
    /// <summary>The worst patterns within the limit: counted repetitions at the limit, stacked and nested, and the classic catastrophic ones.</summary>
    public static readonly string[] WorstAccepted =
    [
        @"x.{1,12}y",
        @"(?s)q.{12}z",
        @"(?:a|b){6}c",
        @"(.*a){6}q",
        @"(?:x.{1,5}){2}z",
        @"(?:[xq]|[xy]){1,6}z",
        @"\w{1,12}=",
        @"(a+)+$",
        @"(x+x+)+y",
        @"(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)=",
        @"(?i)(?:a|aa|aaa|x|xq|q)*z",
        @"(?m)^.{1,12}$",
    ];

    public static readonly string[] Refused =
    [
        @".{1,1000}x.{1,1000}y.{1,1000}z",
        @"x.{1,13}y",
        @"(?:a|b){7}c",
        @"(x.{1,3}){4}",
        @"(?:(?:a{1,4}){1,4}){1,4}",
        @"[\w\s,*()`.@]{1,120}?from",
    ];

    [Theory]
    [MemberData(nameof(RefusedData))]
    public void A_pattern_whose_counted_repetitions_exceed_the_budget_is_refused_naming_the_limit(string pattern)
    {
        var why = PatternCompiler.Validate(pattern);
        Assert.NotNull(why);
        Assert.Contains($"limit is {PatternCompiler.MaxRepeatPositions}", why);
    }

    public static TheoryData<string> RefusedData() => [.. Refused];

    /// <summary>
    /// Each accepted rule scans an adversarial 64 KiB body in linear time (under 3 ms of CPU), and the worst
    /// patterns together with the default rules stay under 10 ms — where one stacked pattern took 0.5-4 s.
    /// On a quiet machine the whole set takes 2.3-8.0 ms of CPU depending on the body (each rule 0.2-1.4 ms).
    /// </summary>
    [Fact]
    public void The_worst_accepted_patterns_and_the_default_rules_inspect_a_64_KiB_body_in_linear_time()
    {
        foreach (var pattern in WorstAccepted) Assert.Null(PatternCompiler.Validate(pattern));
        foreach (var rule in DefaultRules.All) Assert.Null(PatternCompiler.Validate(rule.Pattern));
        var rules = DefaultRules.All.Concat(WorstAccepted.Select((p, i) => new WafRule($"worst-{i}", p, RuleAction.Log, "low", RuleTarget.All, ["test"]))).ToList();
        var whole = EngineFor(rules);
        var alone = rules.Select(rule => (rule.Id, Engine: EngineFor([rule]))).ToList();

        var random = new Random(7);
        foreach (var alphabet in new[] { "xq", "xyq", "a", "ax", "ab", "x\n", "select |a |x|q |=", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" })
        {
            var tokens = alphabet.Split('|');
            var sb = new StringBuilder(64 * 1024 + 64);
            while (sb.Length < 64 * 1024) sb.Append(tokens.Length > 1 ? tokens[random.Next(tokens.Length)] : alphabet[random.Next(alphabet.Length)].ToString());
            var request = new InspectionRequest(null, "POST", "/upload", "", [new("Content-Type", "text/plain")], sb.ToString(0, 64 * 1024), "text/plain");
            var name = alphabet.Replace("\n", "\\n");
            foreach (var (id, engine) in alone)
                Assert.True(BestCpu(engine, request) < TimeSpan.FromMilliseconds(3), $"{id} on {name}: {BestCpu(engine, request).TotalMilliseconds:F2} ms of CPU");
            var total = BestCpu(whole, request, samples: 15);
            Assert.True(total < TimeSpan.FromMilliseconds(10), $"all rules on {name}: {total.TotalMilliseconds:F2} ms of CPU");
        }
    }

    private static WafEngine EngineFor(IEnumerable<WafRule> rules)
    {
        var matcher = new RuleMatcher(rules);
        matcher.Compile();
        var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
        engine.Apply(EngineSnapshot.Empty with { Rules = matcher });
        return engine;
    }

    /// <summary>
    /// The CPU time of this thread for one inspection, the best of several after a warm-up: CPU time rather than
    /// the wall clock, and the best sample, because the tests share the machine with other test assemblies.
    /// </summary>
    private static TimeSpan BestCpu(WafEngine engine, InspectionRequest request, int samples = 5)
    {
        engine.Inspect(request); // the first inspection builds the automata's states for this kind of input
        return Enumerable.Range(0, samples).Min(_ =>
        {
            var before = ThreadCpu();
            engine.Inspect(request);
            return ThreadCpu() - before;
        });
    }

    private static TimeSpan ThreadCpu()
    {
        if (clock_gettime(ClockThreadCpuTime, out var t) != 0) throw new InvalidOperationException("clock_gettime failed");
        return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
    }

    private const int ClockThreadCpuTime = 3;

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}

/// <summary>Tests that measure CPU time run alone, not beside the assembly's other tests.</summary>
[CollectionDefinition(nameof(CpuTimedTests), DisableParallelization = true)]
public sealed class CpuTimedTests;
