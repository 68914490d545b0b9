using System.Buffers;
using Edgeplane.Plugins.Waf.SecLang.Operators;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// The prefilter of every <c>@rx</c> of a rule set in one search: the literals each regex needs (one of which every
/// match contains, compared case-insensitively) are searched in a value once for all rules, which tells which regexes
/// can match it; the others are not run. A value is searched once however many rules read it, instead of once per
/// rule (a 2 KB form field is read by some hundred CRS rules).
/// </summary>
public sealed class LiteralIndex
{
    private readonly SearchValues<string>? _all;
    /// <summary>
    /// The literals by their first one, two or three characters (in upper case: how an ordinal case-insensitive
    /// comparison sees them), with the slots of the regexes that need each: at a position the search stops at, three
    /// lookups find every literal that can start there.
    /// </summary>
    private readonly Dictionary<long, (string Literal, int[] Slots)[]> _byStart;
    private readonly int _slots;

    private LiteralIndex(Dictionary<string, List<int>> slotsByLiteral, int slots)
    {
        _slots = slots;
        _all = slotsByLiteral.Count == 0 ? null : SearchValues.Create([.. slotsByLiteral.Keys], StringComparison.OrdinalIgnoreCase);
        _byStart = slotsByLiteral.GroupBy(l => Key(l.Key, 0, Math.Min(3, l.Key.Length)))
            .ToDictionary(g => g.Key, g => g.Select(l => (l.Key, l.Value.ToArray())).ToArray());
    }

    /// <summary>The first <paramref name="length"/> (1–3) characters from <paramref name="at"/>, upper-cased, as one number.</summary>
    private static long Key(ReadOnlySpan<char> text, int at, int length)
    {
        long key = length;
        for (var i = 0; i < length; i++) key = (key << 16) | char.ToUpperInvariant(text[at + i]);
        return key;
    }

    /// <summary>Gives each rule (chain links too) whose regex has required literals a slot, and indexes the literals.</summary>
    public static LiteralIndex Build(IEnumerable<SecLangRule> rules)
    {
        var slotsByLiteral = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        var slots = 0;
        foreach (var link in rules.SelectMany(r => r.Chain()))
        {
            if (link.Operator is not RegexOperator { RequiredLiterals: { } required }) continue;
            link.PrefilterSlot = slots;
            foreach (var literal in required)
            {
                if (!slotsByLiteral.TryGetValue(literal, out var list)) slotsByLiteral[literal] = list = [];
                list.Add(slots);
            }
            slots++;
        }
        return new LiteralIndex(slotsByLiteral, slots);
    }

    /// <summary>The slots of the regexes that can match the value (one of their literals occurs in it): one bit per slot.</summary>
    public ulong[] Search(string value)
    {
        var candidates = new ulong[(_slots + 63) / 64];
        if (_all is null) return candidates;
        // the regex engine's case-insensitive matching equates the Kelvin sign with k and the long s with s; an ordinal search does not
        if (value.AsSpan().IndexOfAny('\u212A', '\u017F') >= 0) return Everything(candidates);
        var span = value.AsSpan();
        for (var offset = 0; offset < span.Length;)
        {
            var next = span[offset..].IndexOfAny(_all);
            if (next < 0) break;
            var at = offset + next;
            var known = false;
            for (var length = 1; length <= 3 && at + length <= span.Length; length++)
            {
                if (!_byStart.TryGetValue(Key(span, at, length), out var literals)) continue;
                known = true;
                foreach (var (literal, slots) in literals)
                {
                    if (!span[at..].StartsWith(literal, StringComparison.OrdinalIgnoreCase)) continue;
                    foreach (var slot in slots) candidates[slot >> 6] |= 1UL << (slot & 63);
                }
            }
            // the search found a literal this index cannot place (a case mapping it does not know): every regex runs
            if (!known) return Everything(candidates);
            offset = at + 1;
        }
        return candidates;
    }

    public static bool Contains(ulong[] candidates, int slot) => (candidates[slot >> 6] & (1UL << (slot & 63))) != 0;

    private static ulong[] Everything(ulong[] candidates)
    {
        Array.Fill(candidates, ulong.MaxValue);
        return candidates;
    }
}
