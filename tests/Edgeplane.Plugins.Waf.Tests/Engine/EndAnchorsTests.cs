using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

public sealed class EndAnchorsTests
{
    [Theory]
    [InlineData(@"^(a+)+$", @"^(a+)+[^\s\S]")]
    [InlineData(@"a\z|b\Z", @"a[^\s\S]|b[^\s\S]")]
    [InlineData(@"(?m)^x$", @"(?m)^x[^\s\S]")]
    [InlineData(@"\$\{[$]\}[]$][^$]\\$", @"\$\{[$]\}[]$][^$]\\[^\s\S]")]
    [InlineData(@"[a-z-[$]]$", @"[a-z-[$]][^\s\S]")]
    public void End_anchors_outside_classes_and_escapes_become_never(string pattern, string expected) =>
        Assert.Equal(expected, EndAnchors.NeverAtEnd(pattern));

    [Theory]
    [InlineData(@"(?i)<script")]
    [InlineData(@"\$\(|[$]|\\z")]
    public void A_pattern_without_end_anchors_has_no_variant(string pattern) => Assert.Null(EndAnchors.NeverAtEnd(pattern));

    [Fact]
    public void Every_default_rule_variant_compiles_in_linear_time_and_matches_only_what_the_rule_matches()
    {
        foreach (var rule in DefaultRules.All)
        {
            if (EndAnchors.NeverAtEnd(rule.Pattern) is not { } variant) continue;
            var cut = PatternCompiler.Compile(variant);
            Assert.False(cut.IsMatch("; ls"), rule.Id); // a command at the cut might go on: "; lsof"
            Assert.True(cut.IsMatch("; ls -la /") || !PatternCompiler.Compile(rule.Pattern).IsMatch("; ls -la /"), rule.Id);
        }
    }
}
