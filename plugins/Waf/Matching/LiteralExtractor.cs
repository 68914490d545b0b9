namespace Edgeplane.Plugins.Waf.Matching;

/// <summary>
/// Finds, for a regular expression, a small set of ASCII literals of which every match must contain
/// at least one (compared case-insensitively). The rule index searches for these literals in one
/// pass over the input and runs only the regexes whose literal occurs. The parser is conservative:
/// whatever it does not understand yields "no literal", which puts the rule in the unindexed group
/// that is always evaluated (as combined automata). It never yields a literal that a match could lack.
/// </summary>
public static class LiteralExtractor
{
    public const int MinLiteralLength = 3;
    private const int MaxSetSize = 16;
    private const int MaxLiteralLength = 64;

    /// <summary>The required literals (lowercase), or null when the rule cannot be indexed.</summary>
    public static IReadOnlyList<string>? Extract(string pattern) => Extract(pattern, MinLiteralLength, MaxSetSize);

    /// <summary>
    /// The same with other limits: a prefilter of one rule (SecLang) can use short literals (one of the few
    /// characters a match must contain) and larger sets than the shared index of the operator's rules.
    /// </summary>
    public static IReadOnlyList<string>? Extract(string pattern, int minLength, int maxSetSize)
    {
        try
        {
            var parser = new Parser(pattern, maxSetSize);
            var node = parser.ParseAlternation();
            if (parser.Position != pattern.Length) return null;
            var set = parser.Best(node.Required, node.Exact);
            if (set is null || set.Count == 0 || set.Any(s => s.Length < minLength)) return null;
            return set.Select(s => s.ToLowerInvariant()).Distinct().ToList();
        }
        catch (GiveUp)
        {
            return null;
        }
    }

    private sealed class GiveUp : Exception;

    /// <summary>Exact: the finite set of strings the node matches (null = not finite/small). Required: a set one of which every match contains.</summary>
    private sealed record Info(HashSet<string>? Exact, HashSet<string>? Required);

    private static readonly Info Unknown = new(null, null);
    private static readonly Info Empty = new([""], null);

    private sealed class Parser(string p, int maxSetSize)
    {
        public int Position;
        private bool _ignoreWhitespace;

        private int Score(HashSet<string>? set) =>
            set is null || set.Count == 0 || set.Count > maxSetSize ? -1 : set.Min(s => s.Length);

        public HashSet<string>? Best(HashSet<string>? a, HashSet<string>? b) => Score(a) >= Score(b) ? (Score(a) < 0 ? null : a) : b;

        private bool End => Position >= p.Length;
        private char Peek => p[Position];

        public Info ParseAlternation()
        {
            var branches = new List<Info> { ParseConcat() };
            while (!End && Peek == '|')
            {
                Position++;
                branches.Add(ParseConcat());
            }
            if (branches.Count == 1) return branches[0];
            HashSet<string>? exact = [];
            HashSet<string>? required = [];
            foreach (var b in branches)
            {
                if (exact is not null && b.Exact is not null) exact.UnionWith(b.Exact); else exact = null;
                var r = Best(b.Required, b.Exact);
                if (required is not null && r is not null) required.UnionWith(r); else required = null;
            }
            if (exact is not null && exact.Count > maxSetSize) exact = null;
            if (required is not null && required.Count > maxSetSize) required = null;
            return new Info(exact, required);
        }

        private Info ParseConcat()
        {
            HashSet<string>? run = [""];
            HashSet<string>? best = null;
            var allExact = true;
            while (!End && Peek != '|' && Peek != ')')
            {
                var atom = ParseQuantified();
                if (atom.Exact is not null && run is not null)
                {
                    var product = new HashSet<string>();
                    if ((long)run.Count * atom.Exact.Count <= maxSetSize)
                        foreach (var a in run)
                            foreach (var b in atom.Exact) product.Add(a + b);
                    if ((long)run.Count * atom.Exact.Count > maxSetSize || product.Any(s => s.Length > MaxLiteralLength))
                    {
                        best = Best(best, run);
                        run = null;
                        allExact = false;
                    }
                    else run = product;
                }
                else
                {
                    allExact = false;
                    if (run is not null) best = Best(best, run);
                    best = Best(best, atom.Required);
                    // a new run may start after a non-exact atom
                    run = atom.Exact is not null ? new HashSet<string>(atom.Exact) : [""];
                }
            }
            if (run is not null) best = Best(best, run);
            return new Info(allExact ? run : null, best);
        }

        private Info ParseQuantified()
        {
            var atom = ParseAtom();
            if (End) return atom;
            int min;
            var c = Peek;
            if (c == '*') { min = 0; Position++; }
            else if (c == '?') { min = 0; Position++; }
            else if (c == '+') { min = 1; Position++; }
            else if (c == '{' && TryBraces(out min, out var max))
            {
                if (min == 1 && max == 1) { SkipLazy(); return atom; }
            }
            else return atom;
            SkipLazy();
            if (min == 0) return Unknown;
            return new Info(null, Best(atom.Required, atom.Exact));
        }

        private void SkipLazy()
        {
            if (!End && Peek == '?') Position++;
        }

        private bool TryBraces(out int min, out int max)
        {
            min = max = 0;
            var close = p.IndexOf('}', Position);
            if (close < 0) return false;
            var body = p[(Position + 1)..close];
            var parts = body.Split(',');
            if (parts.Length > 2 || !int.TryParse(parts[0], out min)) return false;
            if (parts.Length == 1) max = min;
            else if (parts[1].Length == 0) max = int.MaxValue;
            else if (!int.TryParse(parts[1], out max)) return false;
            Position = close + 1;
            return true;
        }

        private Info ParseAtom()
        {
            var c = p[Position];
            switch (c)
            {
                case '(':
                    return ParseGroup();
                case '[':
                    SkipClass();
                    return Unknown;
                case '.':
                    Position++;
                    return Unknown;
                case '^':
                case '$':
                    Position++;
                    return Empty;
                case '\\':
                    return ParseEscape();
                case ' ' or '\t' or '\n' or '\r' when _ignoreWhitespace:
                    Position++;
                    return Empty;
                case '#' when _ignoreWhitespace:
                    throw new GiveUp();
                default:
                    Position++;
                    return Literal(c);
            }
        }

        private static Info Literal(char c) => c < 128 ? new Info([c.ToString()], null) : Unknown;

        private Info ParseEscape()
        {
            Position++;
            if (End) throw new GiveUp();
            var c = p[Position++];
            switch (c)
            {
                case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G':
                    return Empty;
                case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                    return Unknown;
                case 'p' or 'P':
                    if (!End && Peek == '{')
                    {
                        var close = p.IndexOf('}', Position);
                        if (close < 0) throw new GiveUp();
                        Position = close + 1;
                    }
                    return Unknown;
                case 'n': return Literal('\n');
                case 't': return Literal('\t');
                case 'r': return Literal('\r');
                case 'f': return Literal('\f');
                case 'v': return Literal('\v');
                case 'e': return Literal('\u001b');
                case 'a': return Literal('\a');
                case 'x':
                    if (Position + 2 <= p.Length && int.TryParse(p.AsSpan(Position, 2), System.Globalization.NumberStyles.HexNumber, null, out var hx))
                    {
                        Position += 2;
                        return Literal((char)hx);
                    }
                    throw new GiveUp();
                case 'u':
                    if (Position + 4 <= p.Length && int.TryParse(p.AsSpan(Position, 4), System.Globalization.NumberStyles.HexNumber, null, out var ux))
                    {
                        Position += 4;
                        return Literal((char)ux);
                    }
                    throw new GiveUp();
                default:
                    if (char.IsLetterOrDigit(c)) throw new GiveUp(); // \k, \1, \c, octal...: be safe
                    return Literal(c);
            }
        }

        private void SkipClass()
        {
            Position++; // [
            if (!End && Peek == '^') Position++;
            if (!End && Peek == ']') Position++;
            var depth = 1;
            while (!End)
            {
                var c = p[Position++];
                if (c == '\\') { Position++; continue; }
                if (c == '[' && Position >= 2 && p[Position - 2] == '-') { depth++; continue; }
                if (c == ']' && --depth == 0) return;
            }
            throw new GiveUp();
        }

        private Info ParseGroup()
        {
            Position++; // (
            var saved = _ignoreWhitespace;
            if (!End && Peek == '?')
            {
                Position++;
                if (End) throw new GiveUp();
                var c = Peek;
                if (c == ':') Position++;
                else if (c == '#')
                {
                    var close = p.IndexOf(')', Position);
                    if (close < 0) throw new GiveUp();
                    Position = close + 1;
                    return Empty;
                }
                else if (c == '<' || c == '\'' || c == 'P')
                {
                    if (c == '<' && Position + 1 < p.Length && (p[Position + 1] == '=' || p[Position + 1] == '!')) throw new GiveUp();
                    var endChar = c == '\'' ? '\'' : '>';
                    var close = p.IndexOf(endChar, Position + 1);
                    if (close < 0) throw new GiveUp();
                    Position = close + 1;
                }
                else if (char.IsLetter(c) || c == '-')
                {
                    // inline options: (?imsx-imsx) or (?imsx-imsx:...)
                    var start = Position;
                    while (!End && (char.IsLetter(Peek) || Peek == '-')) Position++;
                    if (End) throw new GiveUp();
                    var flags = p[start..Position];
                    var on = flags.Split('-')[0];
                    var off = flags.Contains('-') ? flags.Split('-')[1] : "";
                    bool? x = on.Contains('x') ? true : off.Contains('x') ? false : null;
                    if (Peek == ')')
                    {
                        Position++;
                        if (x is not null) _ignoreWhitespace = x.Value; // applies to the rest of the enclosing group
                        return Empty;
                    }
                    if (Peek != ':') throw new GiveUp();
                    Position++;
                    if (x is not null) _ignoreWhitespace = x.Value;
                }
                else throw new GiveUp(); // lookarounds, atomic, conditionals
            }
            var inner = ParseAlternation();
            if (End || Peek != ')') throw new GiveUp();
            Position++;
            _ignoreWhitespace = saved;
            return inner;
        }
    }
}
