using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>
/// The prefilter's one-pass search finds exactly the literal sets a case-insensitive search of each literal's start
/// (its first <see cref="LiteralIndex.SearchedLength"/> characters) finds: every set a value contains, and only those
/// whose start it contains.
/// </summary>
public sealed class LiteralIndexTests
{
    private static bool[] Found(LiteralIndex index, int slots, string value)
    {
        var candidates = index.Search(value);
        return [.. Enumerable.Range(0, slots).Select(slot => LiteralIndex.Contains(candidates, slot))];
    }

    private static bool[] Expected(IReadOnlyList<IReadOnlyList<string>> literals, string value) =>
        [.. literals.Select(set => set.Any(l => value.Contains(l[..Math.Min(l.Length, LiteralIndex.SearchedLength)], StringComparison.OrdinalIgnoreCase)))];

    [Fact]
    public void Overlapping_and_nested_literals_are_all_found_ignoring_case()
    {
        IReadOnlyList<IReadOnlyList<string>> literals = [["select"], ["elect"], ["lec"], ["union all"], ["on"], [" "], ["<script", "javascript:"], ["a"], ["ab", "abc"], ["bcd"]];
        var index = LiteralIndex.Of(literals);
        foreach (var value in new[] { "", "SeLeCt", "xELECTx", "UNION ALL", "a union  all", "<SCRIPT>", "JavaScript:x", "abcd", "bc", "zzz", "o", "no" })
            Assert.Equal(Expected(literals, value), Found(index, literals.Count, value));
    }

    [Fact]
    public void Random_values_find_what_a_search_of_each_literal_finds()
    {
        var random = new Random(20);
        const string alphabet = "abcAB;'= -/é\u00ff\u0178\0";
        string Text(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        IReadOnlyList<IReadOnlyList<string>> literals = [.. Enumerable.Range(0, 150).Select(_ => (IReadOnlyList<string>)[.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Text(1, 5))])];
        var index = LiteralIndex.Of(literals);
        for (var i = 0; i < 2000; i++)
        {
            var value = Text(0, 40);
            Assert.Equal(Expected(literals, value), Found(index, literals.Count, value));
        }
    }

    [Fact]
    public void Long_values_searched_in_two_halves_find_literals_across_the_middle()
    {
        var random = new Random(21);
        const string alphabet = "abcAB;'= -/";
        string Text(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        IReadOnlyList<IReadOnlyList<string>> literals = [.. Enumerable.Range(0, 150).Select(_ => (IReadOnlyList<string>)[.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => Text(3, 9))])];
        var index = LiteralIndex.Of(literals);
        for (var i = 0; i < 500; i++)
        {
            var value = Text(30, 400);
            Assert.Equal(Expected(literals, value), Found(index, literals.Count, value));
        }
        IReadOnlyList<IReadOnlyList<string>> one = [["needle"]];
        for (var at = 0; at < 200 - 6; at++)
        {
            var value = new string('x', at) + "NEEDLE" + new string('x', 200 - 6 - at);
            Assert.True(Found(LiteralIndex.Of(one), 1, value)[0], $"needle at {at}");
        }
    }

    [Fact]
    public void Long_literals_are_searched_by_their_start_so_a_large_phrase_list_keeps_the_table_small()
    {
        var random = new Random(22);
        string Phrase() => new([.. Enumerable.Range(0, 30).Select(_ => (char)('a' + random.Next(26)))]);
        IReadOnlyList<IReadOnlyList<string>> literals = [.. Enumerable.Range(0, 50).Select(_ => (IReadOnlyList<string>)[.. Enumerable.Range(0, 100).Select(_ => Phrase())])];
        var index = LiteralIndex.Of(literals);
        Assert.InRange(index.States, 1, 1 + 50 * 100 * LiteralIndex.SearchedLength);
        var phrase = literals[7][3];
        Assert.True(Found(index, literals.Count, "x " + phrase.ToUpperInvariant() + " y")[7]);
        Assert.True(Found(index, literals.Count, phrase[..LiteralIndex.SearchedLength])[7]);
        Assert.False(Found(index, literals.Count, phrase[..(LiteralIndex.SearchedLength - 1)])[7]);
    }

    [Fact]
    public void Phrase_lists_are_in_the_prefilter_beside_the_regexes()
    {
        var set = RuleSetLoader.LoadText("SecRule ARGS \"@pm foo bar\" \"id:1,phase:2,deny\"\nSecRule ARGS \"@rx ba[rz]\" \"id:2,phase:2,deny\"");
        Assert.All(set.Rules, rule => Assert.True(rule.PrefilterSlot >= 0, $"{rule.Id} has no prefilter slot"));
    }

    [Theory]
    [InlineData("\u212Aey")] // the Kelvin sign, which the regex engine's IgnoreCase equates with k
    [InlineData("\u017Felect")] // the long s
    public void A_character_the_regex_engine_folds_differently_lets_every_regex_run(string value)
    {
        IReadOnlyList<IReadOnlyList<string>> literals = [["key"], ["select"], ["zzz"]];
        Assert.All(Found(LiteralIndex.Of(literals), literals.Count, value), Assert.True);
    }
}
