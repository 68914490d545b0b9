namespace Edgeplane.Plugins.Waf.Matching;

/// <summary>
/// Estimates how large a rule's automaton can get. A counted repetition (<c>x{m,n}</c>) is expanded into
/// n copies of its body by the linear-time engine, and n copies that can be active at once are 2^n
/// states: past a few thousand states the engine stops caching them and simulates the copies one by one
/// for every character, so <c>.{1,1000}x.{1,1000}y</c> spends thousands of steps per character of a body
/// (seconds for 64 KiB). Unbounded repetitions (<c>*</c>, <c>+</c>) and literals add no such copies.
/// The cost is the number of positions counted repetitions create, nested ones multiplied; 0 when there are none.
/// </summary>
public static class PatternCost
{
    public static int RepeatPositions(string pattern)
    {
        var scanner = new Scanner(pattern);
        return (int)Math.Min(int.MaxValue, scanner.Alternation().Repeat);
    }

    /// <summary>Size: positions of the node's automaton; Repeat: those created by counted repetitions.</summary>
    private readonly record struct Cost(long Size, long Repeat)
    {
        public static Cost operator +(Cost a, Cost b) => new(Add(a.Size, b.Size), Add(a.Repeat, b.Repeat));

        private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
    }

    private sealed class Scanner(string p)
    {
        private int _at;

        private bool More => _at < p.Length;

        public Cost Alternation()
        {
            var cost = Sequence();
            while (More && p[_at] == '|')
            {
                _at++;
                cost += Sequence();
            }
            return cost;
        }

        private Cost Sequence()
        {
            var cost = new Cost(0, 0);
            while (More && p[_at] is not ('|' or ')'))
            {
                var atom = Atom();
                cost += Quantified(atom);
            }
            return cost;
        }

        private Cost Quantified(Cost atom)
        {
            while (More)
            {
                if (p[_at] is '*' or '+' or '?') _at++;
                else if (p[_at] == '{' && Counted() is { } times)
                {
                    if (times > 1)
                    {
                        var size = atom.Size > long.MaxValue / times ? long.MaxValue : atom.Size * times;
                        atom = new Cost(size, size);
                    }
                }
                else break;
                if (More && p[_at] is '?' or '+') _at++; // lazy or possessive marker
            }
            return atom;
        }

        /// <summary><c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> at the cursor: the largest count (n for the open form), or null when it is a literal brace.</summary>
        private long? Counted()
        {
            var end = p.IndexOf('}', _at);
            if (end < 0) return null;
            var parts = p[(_at + 1)..end].Split(',');
            if (parts.Length > 2 || !long.TryParse(parts[0], out var min)) return null;
            long max = min;
            if (parts.Length == 2 && parts[1].Length > 0 && !long.TryParse(parts[1], out max)) return null;
            _at = end + 1;
            return Math.Max(min, max);
        }

        private Cost Atom()
        {
            var c = p[_at++];
            switch (c)
            {
                case '(':
                    if (More && p[_at] == '?' && Options() is { } zeroWidth && zeroWidth) return new Cost(0, 0);
                    var inner = Alternation();
                    if (More && p[_at] == ')') _at++;
                    return inner;
                case '[':
                    SkipClass();
                    return new Cost(1, 0);
                case '\\':
                    return Escape();
                case '^' or '$':
                    return new Cost(0, 0);
                default:
                    return new Cost(1, 0);
            }
        }

        /// <summary>After <c>(?</c>: skips the group's prefix; true when the group is only options or a comment (matches nothing).</summary>
        private bool? Options()
        {
            _at++; // '?'
            if (More && p[_at] == '#')
            {
                var close = p.IndexOf(')', _at);
                _at = close < 0 ? p.Length : close + 1;
                return true;
            }
            if (More && p[_at] is '<' or '\'' && _at + 1 < p.Length && p[_at + 1] is not ('=' or '!'))
            {
                var close = p.IndexOf(p[_at] == '<' ? '>' : '\'', _at + 1);
                _at = close < 0 ? p.Length : close + 1;
                return false;
            }
            while (More && (char.IsAsciiLetter(p[_at]) || p[_at] == '-')) _at++;
            if (More && p[_at] == ')')
            {
                _at++;
                return true;
            }
            if (More && p[_at] is ':' or '=' or '!' or '>') _at++;
            else if (More && p[_at] == '<') _at += 2; // lookbehind
            return false;
        }

        private void SkipClass()
        {
            var depth = 1;
            if (More && p[_at] == '^') _at++;
            if (More && p[_at] == ']') _at++;
            while (More && depth > 0)
            {
                var c = p[_at++];
                if (c == '\\') _at++;
                else if (c == '[' && p[_at - 2] == '-') depth++;
                else if (c == ']') depth--;
            }
        }

        private Cost Escape()
        {
            if (!More) return new Cost(1, 0);
            var c = p[_at++];
            switch (c)
            {
                case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G':
                    return new Cost(0, 0);
                case 'p' or 'P' or 'k' when More && p[_at] is '{' or '<':
                    var close = p.IndexOf(p[_at] == '{' ? '}' : '>', _at);
                    _at = close < 0 ? p.Length : close + 1;
                    return new Cost(c == 'k' ? 0 : 1, 0);
                case 'x':
                    _at = Math.Min(p.Length, _at + 2);
                    return new Cost(1, 0);
                case 'u':
                    _at = Math.Min(p.Length, _at + 4);
                    return new Cost(1, 0);
                case 'c':
                    _at = Math.Min(p.Length, _at + 1);
                    return new Cost(1, 0);
                default:
                    return new Cost(1, 0);
            }
        }
    }
}
