using Edgeplane.Plugins.Waf.SecLang.Operators;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// The prefilter of every <c>@rx</c> and <c>@pm</c> of a rule set in one search: the literals each regex needs (one of
/// which every match contains, compared case-insensitively) and the phrases of each phrase list are searched in a value
/// once for all rules, which tells which operators can match it; the others are not run. A value is searched once however many rules read it, instead of once per
/// rule (a 2 KB form field is read by some hundred CRS rules).
/// </summary>
/// <remarks>
/// The search is an Aho-Corasick automaton with every transition precomputed: one table step per character, whatever
/// the value holds. The CRS's literals include a space, <c>=</c>, <c>on</c>, <c>in</c>, <c>or</c>, so a search that
/// stops at each occurrence and then looks the literals up stops every few characters of plain text. Only the first
/// <see cref="SearchedLength"/> characters of each literal are searched: a value that contains a literal contains its
/// start, and one that contains only the start lets the operator run and decide. The CRS's phrase files (some 40,000
/// characters) would otherwise make a table of 44,000 states (13 MB, 45 MB more peak memory while it is built); their
/// starts and the regexes' literals make 5,500 (1.5 MB), with no measurable cost in operators run for nothing.
/// </remarks>
public sealed class LiteralIndex
{
    /// <summary>The alphabet class of each character (0: in no literal); characters are folded as an ordinal case-insensitive comparison does.</summary>
    private readonly ushort[] _classOf;
    private readonly int _classes;
    /// <summary>
    /// The transitions, a row of <see cref="_classes"/> per state; each holds the next state's row
    /// (<c>state * _classes</c>). States where literals end come last, from <see cref="_firstFoundRow"/>.
    /// </summary>
    private readonly int[] _next;
    private readonly int _firstFoundRow;
    /// <summary>For each state from the first where literals end, the slots of those literals (its own and its suffixes').</summary>
    private readonly int[][] _slotsAt;
    /// <summary>The slots of empty literals: found in every value.</summary>
    private readonly int[] _always;
    private readonly int _slots;
    /// <summary>The length of the longest literal.</summary>
    private readonly int _longest;

    private LiteralIndex(IReadOnlyList<IReadOnlyList<string>> literalsBySlot)
    {
        _slots = literalsBySlot.Count;
        literalsBySlot = [.. literalsBySlot.Select(set => (IReadOnlyList<string>)[.. set.Select(l => l.Length > SearchedLength ? l[..SearchedLength] : l).Distinct()])];
        _longest = literalsBySlot.SelectMany(l => l).Select(l => l.Length).DefaultIfEmpty(0).Max();
        _classOf = new ushort[char.MaxValue + 1];
        var classOfFolded = new Dictionary<char, ushort>();
        foreach (var literal in literalsBySlot.SelectMany(l => l))
            foreach (var c in literal)
                classOfFolded.TryAdd(char.ToUpperInvariant(c), (ushort)(classOfFolded.Count + 1));
        for (var c = 0; c <= char.MaxValue; c++) _classOf[c] = classOfFolded.GetValueOrDefault(char.ToUpperInvariant((char)c));
        _classes = classOfFolded.Count + 1;

        // the trie: -1 for a transition not (yet) known
        var next = new List<int>();
        var own = new List<List<int>?>();
        int NewState()
        {
            for (var c = 0; c < _classes; c++) next.Add(-1);
            own.Add(null);
            return own.Count - 1;
        }
        NewState();
        for (var slot = 0; slot < literalsBySlot.Count; slot++)
            foreach (var literal in literalsBySlot[slot])
            {
                var state = 0;
                foreach (var c in literal)
                {
                    var at = state * _classes + _classOf[c];
                    if (next[at] < 0) next[at] = NewState();
                    state = next[at];
                }
                (own[state] ??= []).Add(slot);
            }

        // breadth first: each state's failure (its longest proper suffix in the trie) is complete before its children's
        var order = new List<int> { 0 };
        var failure = new int[own.Count];
        var slotsAt = new int[]?[own.Count];
        var queue = new Queue<int>();
        for (var c = 0; c < _classes; c++)
        {
            if (next[c] < 0) next[c] = 0;
            else queue.Enqueue(next[c]);
        }
        while (queue.TryDequeue(out var state))
        {
            order.Add(state);
            var fail = failure[state];
            var slots = (own[state] ?? []).Concat(slotsAt[fail] ?? []).Distinct().ToArray();
            slotsAt[state] = slots.Length == 0 ? null : slots;
            for (var c = 0; c < _classes; c++)
            {
                var at = state * _classes + c;
                if (next[at] < 0) next[at] = next[fail * _classes + c];
                else
                {
                    failure[next[at]] = next[fail * _classes + c];
                    queue.Enqueue(next[at]);
                }
            }
        }
        _always = own[0]?.ToArray() ?? [];

        // renumbered: the states where no literal ends first (in breadth-first order, the busy shallow ones together), then the others
        var found = order.Where(s => s != 0 && slotsAt[s] is not null).ToList();
        order = [.. order.Where(s => s == 0 || slotsAt[s] is null), .. found];
        var numberOf = new int[order.Count];
        for (var i = 0; i < order.Count; i++) numberOf[order[i]] = i;
        _firstFoundRow = (order.Count - found.Count) * _classes;
        _next = new int[next.Count];
        for (var i = 0; i < order.Count; i++)
            for (var c = 0; c < _classes; c++) _next[i * _classes + c] = numberOf[next[order[i] * _classes + c]] * _classes;
        _slotsAt = [.. found.Select(s => slotsAt[s]!)];
    }

    /// <summary>Gives each rule (chain links too) whose operator has required literals (a regex's, a phrase list) a slot, and indexes the literals.</summary>
    public static LiteralIndex Build(IEnumerable<SecLangRule> rules)
    {
        var literalsBySlot = new List<IReadOnlyList<string>>();
        foreach (var link in rules.SelectMany(r => r.Chain()))
        {
            if (link.Operator?.RequiredLiterals is not { } required) continue;
            link.PrefilterSlot = literalsBySlot.Count;
            literalsBySlot.Add(required);
        }
        return new LiteralIndex(literalsBySlot);
    }

    /// <summary>An index of the given literal sets, slot by slot (for tests).</summary>
    internal static LiteralIndex Of(IReadOnlyList<IReadOnlyList<string>> literalsBySlot) => new(literalsBySlot);

    /// <summary>How many characters of each literal are searched: its start.</summary>
    public const int SearchedLength = 6;

    /// <summary>The automaton's states (its table has a row of every character class for each).</summary>
    internal int States => _next.Length / _classes;

    /// <summary>The length of a <see cref="Search"/> result: one bit per slot.</summary>
    public int Words => (_slots + 63) / 64;

    /// <summary>The slots of the operators that can match the value (the start of one of their literals occurs in it): one bit per slot.</summary>
    public ulong[] Search(string value)
    {
        var candidates = new ulong[Words];
        if (_slots == 0) return candidates;
        // the regex engine's case-insensitive matching equates the Kelvin sign with k and the long s with s; an ordinal comparison does not
        if (value.AsSpan().IndexOfAny('\u212A', '\u017F') >= 0)
        {
            Array.Fill(candidates, ulong.MaxValue);
            return candidates;
        }
        var text = value.AsSpan();
        if (_longest > 0 && text.Length / 2 > 2 * _longest)
        {
            // two walks at once: the second starts early enough to see every literal that ends in its half
            var middle = text.Length / 2;
            WalkTwo(text[..middle], text[(middle - _longest + 1)..], candidates);
        }
        else Walk(text, candidates);
        foreach (var slot in _always) candidates[slot >> 6] |= 1UL << (slot & 63);
        return candidates;
    }

    private void Walk(ReadOnlySpan<char> text, ulong[] candidates)
    {
        var next = _next;
        var classOf = _classOf;
        var row = 0;
        foreach (var c in text)
        {
            row = next[row + classOf[c]];
            if (row >= _firstFoundRow) Found(row, candidates);
        }
    }

    /// <summary>
    /// Two walks interleaved, over <paramref name="first"/> and the no shorter <paramref name="second"/>: each step of a
    /// walk waits for its previous table load, so the processor overlaps the two (a long value is searched in about
    /// half the time).
    /// </summary>
    private void WalkTwo(ReadOnlySpan<char> first, ReadOnlySpan<char> second, ulong[] candidates)
    {
        var next = _next;
        var classOf = _classOf;
        int a = 0, b = 0, i = 0;
        for (; i < first.Length; i++)
        {
            a = next[a + classOf[first[i]]];
            b = next[b + classOf[second[i]]];
            if (a >= _firstFoundRow) Found(a, candidates);
            if (b >= _firstFoundRow) Found(b, candidates);
        }
        for (; i < second.Length; i++)
        {
            b = next[b + classOf[second[i]]];
            if (b >= _firstFoundRow) Found(b, candidates);
        }
    }

    private void Found(int row, ulong[] candidates)
    {
        foreach (var slot in _slotsAt[(row - _firstFoundRow) / _classes]) candidates[slot >> 6] |= 1UL << (slot & 63);
    }

    public static bool Contains(ulong[] candidates, int slot) => (candidates[slot >> 6] & (1UL << (slot & 63))) != 0;
}
