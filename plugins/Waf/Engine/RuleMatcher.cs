using System.Buffers;
using System.Text.RegularExpressions;

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
    private readonly PartIndex[] _parts;

    public RuleMatcher(IEnumerable<WafRule> rules)
    {
        _rules = rules.ToArray();
        _regexes = _rules.Select(r => new Lazy<Regex>(() => PatternCompiler.Compile(r.Pattern))).ToArray();
        var literals = _rules.Select(r => LiteralExtractor.Extract(r.Pattern)).ToArray();
        IndexedCount = literals.Count(l => l is not null);
        _parts = Parts.Select(part => new PartIndex(this, part, literals)).ToArray();
    }

    public int Count => _rules.Length;
    /// <summary>How many rules are served by the literal index (the rest run as combined automata).</summary>
    public int IndexedCount { get; }
    public IReadOnlyList<WafRule> Rules => _rules;

    /// <summary>Every rule that matches <paramref name="text"/> as request part <paramref name="part"/>.</summary>
    public void Match(RuleTarget part, string text, List<RuleMatch> into)
    {
        if (text.Length == 0) return;
        _parts[Array.IndexOf(Parts, part)].Match(text, into);
    }

    public readonly record struct RuleMatch(WafRule Rule, RuleTarget Part);

    private sealed class PartIndex
    {
        private readonly RuleMatcher _owner;
        private readonly RuleTarget _part;
        private readonly SearchValues<string>? _search;
        /// <summary>First three lowercase characters of a literal → the literals with that start and their rules.</summary>
        private readonly Dictionary<string, (string Literal, int[] Rules)[]> _byPrefix = new(StringComparer.Ordinal);
        private readonly (Regex Combined, int[] Rules)[] _chunks;

        public PartIndex(RuleMatcher owner, RuleTarget part, IReadOnlyList<string>?[] literals)
        {
            _owner = owner;
            _part = part;
            var byLiteral = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            var unindexed = new List<int>();
            for (var i = 0; i < owner._rules.Length; i++)
            {
                if ((owner._rules[i].Targets & part) == 0) continue;
                if (literals[i] is { } lits)
                {
                    foreach (var lit in lits)
                    {
                        if (!byLiteral.TryGetValue(lit, out var list)) byLiteral[lit] = list = [];
                        list.Add(i);
                    }
                }
                else unindexed.Add(i);
            }
            if (byLiteral.Count > 0)
            {
                _search = SearchValues.Create(byLiteral.Keys.ToArray(), StringComparison.OrdinalIgnoreCase);
                foreach (var group in byLiteral.GroupBy(kv => kv.Key[..LiteralExtractor.MinLiteralLength]))
                    _byPrefix[group.Key] = group.Select(kv => (kv.Key, kv.Value.ToArray())).ToArray();
            }
            var chunks = new List<(Regex, int[])>();
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
            try
            {
                var pattern = string.Join("|", rules.Select(r => "(?:" + _owner._rules[r].Pattern + ")"));
                chunks.Add((PatternCompiler.Compile(pattern), rules));
            }
            catch (NotSupportedException)
            {
                // the combined automaton is over the engine's size limit: split the chunk
                AddChunk(rules[..(rules.Length / 2)], chunks);
                AddChunk(rules[(rules.Length / 2)..], chunks);
            }
        }

        public void Match(string text, List<RuleMatch> into)
        {
            HashSet<int>? candidates = null;
            if (_search is not null)
            {
                var folded = Fold(text);
                var span = folded.AsSpan();
                var offset = 0;
                Span<char> key = stackalloc char[LiteralExtractor.MinLiteralLength];
                while (offset + LiteralExtractor.MinLiteralLength <= span.Length)
                {
                    var found = span[offset..].IndexOfAny(_search);
                    if (found < 0) break;
                    var at = offset + found;
                    if (at + LiteralExtractor.MinLiteralLength <= span.Length)
                    {
                        span.Slice(at, LiteralExtractor.MinLiteralLength).ToLowerInvariant(key);
                        if (_byPrefix.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var entries))
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
                    if (_owner._regexes[i].Value.IsMatch(text)) into.Add(new RuleMatch(_owner._rules[i], _part));
            }
            foreach (var (combined, rules) in _chunks)
            {
                if (!combined.IsMatch(text)) continue;
                if (rules.Length == 1)
                {
                    into.Add(new RuleMatch(_owner._rules[rules[0]], _part));
                    continue;
                }
                foreach (var i in rules)
                    if (_owner._regexes[i].Value.IsMatch(text)) into.Add(new RuleMatch(_owner._rules[i], _part));
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
