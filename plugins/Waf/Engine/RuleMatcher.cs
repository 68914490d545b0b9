using System.Buffers;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// Evaluates a whole rule set against the parts of a request. Rules with a required literal
/// (see <see cref="LiteralExtractor"/>) are indexed: one vectorized multi-string search
/// (<see cref="SearchValues{T}"/>, Aho-Corasick/Teddy) per request part finds which literals occur,
/// and only those rules' regexes run. The other rules are merged into a few combined
/// NonBacktracking alternations per part, whose single pass says whether any of them matches.
/// Cost on benign traffic is therefore roughly one linear scan per part, whatever the rule count.
/// Immutable: build a new one when the rules change.
/// </summary>
public sealed class RuleMatcher
{
    private const int ChunkSize = 64;
    private static readonly RuleTarget[] Parts = [RuleTarget.Path, RuleTarget.Query, RuleTarget.Headers, RuleTarget.Body];

    private readonly WafRule[] _rules;
    private readonly Lazy<Regex>[] _regexes;
    private readonly Lazy<Regex>?[] _cutVariants;
    private readonly CompilationCache _cache;
    private readonly Lazy<LiteralIndex> _index;
    private readonly Lazy<PartIndex[]> _parts;

    public RuleMatcher(IEnumerable<WafRule> rules, CompilationCache? cache = null)
    {
        _rules = rules.ToArray();
        _cache = cache ?? new CompilationCache();
        _regexes = _rules.Select(r => _cache.Regex(r.Pattern)).ToArray();
        _cutVariants = _rules.Select(r => _cache.CutVariant(r.Pattern)).ToArray();
        // The literal index and the combined automata (hundreds of milliseconds of CPU for a large rule set)
        // are built on the first match, or by Compile(): a host that only manages rules never needs them.
        _index = new Lazy<LiteralIndex>(() => new LiteralIndex(_rules, _cache));
        _parts = new Lazy<PartIndex[]>(() => Parts.Select(part => new PartIndex(this, part, _index.Value)).ToArray());
    }

    /// <summary>Builds the literal index and the combined automata now rather than on the first match.</summary>
    public void Compile() => _ = _parts.Value;

    /// <summary>Which literals each rule requires, and a multi-string search over all of them.</summary>
    private sealed class LiteralIndex
    {
        public IReadOnlyList<string>?[] Literals { get; }
        public SearchValues<string>[] Searchers { get; } = [];
        /// <summary>First three lowercase characters of a literal → the literals with that start and their rules.</summary>
        public Dictionary<string, (string Literal, int[] Rules)[]> ByPrefix { get; } = new(StringComparer.Ordinal);

        public LiteralIndex(WafRule[] rules, CompilationCache cache)
        {
            Literals = rules.Select(r => cache.Literals(r.Pattern)).ToArray();
            var byLiteral = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < rules.Length; i++)
            {
                if (Literals[i] is not { } lits) continue;
                foreach (var lit in lits)
                {
                    if (!byLiteral.TryGetValue(lit, out var list)) byLiteral[lit] = list = [];
                    list.Add(i);
                }
            }
            if (byLiteral.Count > 0)
            {
                // one multi-string searcher for every part; building it is the costly step at 10^4+ literals,
                // so a large stable base is reused across rebuilds and new literals go to a small delta
                Searchers = cache.Searchers(byLiteral.Keys);
                foreach (var group in byLiteral.GroupBy(kv => kv.Key[..LiteralExtractor.MinLiteralLength]))
                    ByPrefix[group.Key] = group.Select(kv => (kv.Key, kv.Value.ToArray())).ToArray();
            }
            cache.Prune();
        }
    }

    /// <summary>
    /// Compiled regexes, combined automata and extracted literals by pattern text, kept between
    /// rebuilds so that adding one rule to a large set only compiles that rule. Each build keeps
    /// what it used and drops the rest.
    /// </summary>
    public sealed class CompilationCache
    {
        private Dictionary<string, object> _previous = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _current = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        private T Get<T>(string key, Func<T> create) where T : class
        {
            if (_current.TryGetValue(key, out var hit)) return (T)hit;
            lock (_lock)
            {
                if (_previous.TryGetValue(key, out var old)) return (T)_current.GetOrAdd(key, old);
            }
            return (T)_current.GetOrAdd(key, _ => create());
        }

        public Lazy<Regex> Regex(string pattern) => Get("r:" + pattern, () => new Lazy<Regex>(() => PatternCompiler.Compile(pattern)));

        /// <summary>The rule as it runs on a text cut at the inspection limit (see <see cref="EndAnchors"/>); null when it has no end anchor.</summary>
        public Lazy<Regex>? CutVariant(string pattern) => Get("t:" + pattern, () => new Box<Lazy<Regex>>(
            EndAnchors.NeverAtEnd(pattern) is { } variant ? new Lazy<Regex>(() => PatternCompiler.Compile(variant)) : null)).Value;

        public IReadOnlyList<string>? Literals(string pattern) =>
            Get("l:" + pattern, () => new Box(LiteralExtractor.Extract(pattern))).Value;

        /// <summary>A combined automaton, or null when it is over the engine's size limit.</summary>
        public Regex? Combined(string pattern) => Get("c:" + pattern, () =>
        {
            try
            {
                return new Box<Regex>(PatternCompiler.Compile(pattern));
            }
            catch (NotSupportedException)
            {
                return new Box<Regex>(null);
            }
        }).Value;

        private SearchValues<string>? _base;
        private HashSet<string> _baseLiterals = new(StringComparer.Ordinal);

        /// <summary>
        /// Searchers covering <paramref name="literals"/>: the base (possibly with literals no rule uses
        /// any more, which then find no rule) plus a delta of new literals. The base is rebuilt when the
        /// delta or the stale part grows large.
        /// </summary>
        public SearchValues<string>[] Searchers(ICollection<string> literals)
        {
            lock (_lock)
            {
                var delta = literals.Where(l => !_baseLiterals.Contains(l)).ToArray();
                var live = literals.Count - delta.Length;
                var stale = _baseLiterals.Count - live;
                if (_base is null || delta.Length > Math.Max(256, literals.Count / 8) || stale > Math.Max(256, literals.Count / 4))
                {
                    _baseLiterals = new HashSet<string>(literals, StringComparer.Ordinal);
                    _base = SearchValues.Create(literals.ToArray(), StringComparison.OrdinalIgnoreCase);
                    return [_base];
                }
                return delta.Length == 0 ? [_base] : [_base, SearchValues.Create(delta, StringComparison.OrdinalIgnoreCase)];
            }
        }

        internal void Prune()
        {
            lock (_lock)
            {
                _previous = new Dictionary<string, object>(_current, StringComparer.Ordinal);
                _current.Clear();
            }
        }

        private sealed record Box(IReadOnlyList<string>? Value);
        private sealed record Box<T>(T? Value) where T : class;
    }

    public int Count => _rules.Length;
    /// <summary>How many rules are served by the literal index (the rest run as combined automata).</summary>
    public int IndexedCount => _index.Value.Literals.Count(l => l is not null);
    public IReadOnlyList<WafRule> Rules => _rules;

    /// <summary>
    /// Every rule that matches <paramref name="text"/> as request part <paramref name="part"/>. When the text
    /// was <paramref name="cut"/> at the inspection limit, no end anchor matches at its end.
    /// </summary>
    public void Match(RuleTarget part, string text, List<RuleMatch> into, bool cut = false)
    {
        if (text.Length == 0) return;
        _parts.Value[Array.IndexOf(Parts, part)].Match(text, into, cut);
    }

    /// <summary>Rule <paramref name="i"/>, which matched, still matches when the end of the text is not the end of the input.</summary>
    private bool MatchesCut(int i, string text, bool cut) => !cut || _cutVariants[i] is not { } variant || variant.Value.IsMatch(text);

    public readonly record struct RuleMatch(WafRule Rule, RuleTarget Part);

    private sealed class PartIndex
    {
        private readonly RuleMatcher _owner;
        private readonly RuleTarget _part;
        private readonly LiteralIndex _index;
        private readonly (Regex Combined, int[] Rules)[] _chunks;

        public PartIndex(RuleMatcher owner, RuleTarget part, LiteralIndex index)
        {
            _owner = owner;
            _part = part;
            _index = index;
            var unindexed = new List<int>();
            var chunks = new List<(Regex, int[])>();
            for (var i = 0; i < owner._rules.Length; i++)
            {
                if ((owner._rules[i].Targets & part) == 0 || index.Literals[i] is not null) continue;
                // counted repetitions multiply when automata are merged: such a rule runs on its own
                if (PatternCost.RepeatPositions(owner._rules[i].Pattern) > 0) chunks.Add((owner._regexes[i].Value, [i]));
                else unindexed.Add(i);
            }
            for (var i = 0; i < unindexed.Count; i += ChunkSize)
                AddChunk(unindexed.Skip(i).Take(ChunkSize).ToArray(), chunks);
            _chunks = chunks.ToArray();
        }

        private void AddChunk(int[] rules, List<(Regex, int[])> chunks)
        {
            if (rules.Length == 1)
            {
                chunks.Add((_owner._regexes[rules[0]].Value, rules));
                return;
            }
            var pattern = string.Join("|", rules.Select(r => "(?:" + _owner._rules[r].Pattern + ")"));
            if (_owner._cache.Combined(pattern) is { } combined)
            {
                chunks.Add((combined, rules));
                return;
            }
            // the combined automaton is over the engine's size limit: split the chunk
            AddChunk(rules[..(rules.Length / 2)], chunks);
            AddChunk(rules[(rules.Length / 2)..], chunks);
        }

        public void Match(string text, List<RuleMatch> into, bool cut)
        {
            HashSet<int>? candidates = null;
            var byPrefix = _index.ByPrefix;
            Span<char> key = stackalloc char[LiteralExtractor.MinLiteralLength];
            var span = Fold(text).AsSpan();
            foreach (var search in _index.Searchers)
            {
                var offset = 0;
                while (offset + LiteralExtractor.MinLiteralLength <= span.Length)
                {
                    var found = span[offset..].IndexOfAny(search);
                    if (found < 0) break;
                    var at = offset + found;
                    if (at + LiteralExtractor.MinLiteralLength <= span.Length)
                    {
                        span.Slice(at, LiteralExtractor.MinLiteralLength).ToLowerInvariant(key);
                        if (byPrefix.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var entries))
                        {
                            foreach (var (literal, rules) in entries)
                            {
                                if (span[at..].StartsWith(literal, StringComparison.OrdinalIgnoreCase))
                                {
                                    candidates ??= [];
                                    candidates.UnionWith(rules);
                                }
                            }
                        }
                    }
                    offset = at + 1;
                }
            }
            if (candidates is not null)
            {
                foreach (var i in candidates.Order())
                    if ((_owner._rules[i].Targets & _part) != 0 && _owner._regexes[i].Value.IsMatch(text) && _owner.MatchesCut(i, text, cut))
                        into.Add(new RuleMatch(_owner._rules[i], _part));
            }
            foreach (var (combined, rules) in _chunks)
            {
                if (!combined.IsMatch(text)) continue;
                if (rules.Length == 1)
                {
                    if (_owner.MatchesCut(rules[0], text, cut)) into.Add(new RuleMatch(_owner._rules[rules[0]], _part));
                    continue;
                }
                foreach (var i in rules)
                    if (_owner._regexes[i].Value.IsMatch(text) && _owner.MatchesCut(i, text, cut)) into.Add(new RuleMatch(_owner._rules[i], _part));
            }
        }

        /// <summary>
        /// Under case-insensitive matching the regex engine treats the Kelvin sign like k and the long s
        /// like s; map them so that the ordinal case-insensitive literal search finds them too.
        /// </summary>
        private static string Fold(string text) =>
            text.AsSpan().IndexOfAny('\u212A', '\u017F') < 0 ? text : text.Replace('\u212A', 'k').Replace('\u017F', 's');
    }
}
