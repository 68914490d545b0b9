using System.Diagnostics;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

public sealed class PatternAndLiteralTests
{
    [Theory]
    [InlineData("(?i)(union.*select|select.*from)")]
    [InlineData("(?i)script.*alert")]
    [InlineData(@"\.\./")]
    public void Seed_patterns_compile(string pattern) => Assert.Null(PatternCompiler.Validate(pattern));

    [Theory]
    [InlineData(@"(a)\1", "linear time")]
    [InlineData(@"foo(?=bar)", "linear time")]
    [InlineData(@"(?<!x)y", "linear time")]
    [InlineData(@"(?>a+)b", "linear time")]
    [InlineData(@"(unclosed", "not a valid regular expression")]
    [InlineData(@"a{2,1}", "not a valid regular expression")]
    [InlineData(@"x*", "empty string")]
    [InlineData(@"", "required")]
    public void Backtracking_or_broken_patterns_are_rejected_with_the_reason(string pattern, string reason)
    {
        var error = PatternCompiler.Validate(pattern);
        Assert.NotNull(error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Catastrophic_backtracking_pattern_runs_in_linear_time()
    {
        // (a+)+$ takes exponential time with a backtracking engine on "aaaa…!"
        var pattern = "(a+)+$";
        Assert.Null(PatternCompiler.Validate(pattern));
        var matcher = new RuleMatcher([new WafRule("r", pattern, RuleAction.Block, "high", RuleTarget.Query, [])]);
        var input = new string('a', 50_000) + "!";
        var sw = Stopwatch.StartNew();
        var matches = new List<RuleMatcher.RuleMatch>();
        matcher.Match(RuleTarget.Query, input, matches);
        Assert.Empty(matches);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed}");
    }

    [Theory]
    [InlineData("(?i)(union.*select|select.*from)", "select")]
    [InlineData(@"(?i)\bunion\s+select\b", "select")]
    [InlineData("(?i)script.*alert", "script")]
    [InlineData(@"/etc/passwd", "/etc/passwd")]
    [InlineData(@"(?i)\bon(?:error|load)\s*=", "onerror,onload")]
    [InlineData(@"abc(?:def)?ghi", "abc,ghi")]
    [InlineData(@"(?<name>evil)[0-9]+token", "token")]
    [InlineData(@"wp-config\.php", "wp-config.php")]
    [InlineData(@"(?i:SeLeCt)\s", "select")]
    public void Required_literals_are_found(string pattern, string expectedAnyOf)
    {
        var literals = LiteralExtractor.Extract(pattern);
        Assert.NotNull(literals);
        var expected = expectedAnyOf.Split(',');
        Assert.Contains(literals, l => expected.Contains(l));
        Assert.All(literals, l => Assert.True(l.Length >= LiteralExtractor.MinLiteralLength));
    }

    [Theory]
    [InlineData(@"\d{5,}")]
    [InlineData(@"[<>]")]
    [InlineData(@"(?:abc)?x")]
    [InlineData(@"abc|\d+")]
    [InlineData(@"a.b")]
    [InlineData(@"(?x) a b c # comment")]
    public void Patterns_without_a_safe_literal_are_not_indexed(string pattern) => Assert.Null(LiteralExtractor.Extract(pattern));

    [Fact]
    public void Every_extracted_literal_is_really_required()
    {
        // property check: for each pattern and each matching input, one of the literals occurs in the input
        var cases = new (string Pattern, string[] Inputs)[]
        {
            ("(?i)(union.*select|select.*from)", ["UNION all SELECT", "select x from y", "SeLeCt * FrOm"]),
            (@"ab(c|de)fg", ["abcfg", "abdefg"]),
            (@"(?i)k\w+", ["\u212Aelvin"]),
            (@"x(?:yz){2}w", ["xyzyzw"]),
            (@"pre\x41fix", ["preAfix"]),
        };
        foreach (var (pattern, inputs) in cases)
        {
            var regex = PatternCompiler.Compile(pattern);
            var literals = LiteralExtractor.Extract(pattern);
            var matcher = new RuleMatcher([new WafRule("r", pattern, RuleAction.Block, "high", RuleTarget.Query, [])]);
            foreach (var input in inputs)
            {
                Assert.True(regex.IsMatch(input), $"{pattern} should match {input}");
                var found = new List<RuleMatcher.RuleMatch>();
                matcher.Match(RuleTarget.Query, input, found);
                Assert.True(found.Count == 1, $"matcher missed {pattern} on {input} (literals {string.Join(",", literals ?? [])})");
            }
        }
    }
}
