using System.Text;
using System.Text.RegularExpressions;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary>
/// Rewrites the PCRE syntax .NET lacks or reads differently: <c>\x{HH}</c>, POSIX classes (<c>[[:alpha:]]</c>),
/// <c>\Q…\E</c>, <c>\h</c>, <c>(?P&lt;n&gt;</c>, possessive quantifiers (read as greedy), and the ASCII-only
/// meaning of <c>\d \w \s</c> in byte mode (in .NET they would also match Latin-1 letters and spaces).
/// </summary>
public static class PcreTranslator
{
    private static readonly Dictionary<string, string> Posix = new()
    {
        ["alpha"] = "a-zA-Z", ["digit"] = "0-9", ["alnum"] = "a-zA-Z0-9", ["upper"] = "A-Z", ["lower"] = "a-z",
        ["space"] = @"\t\n\v\f\r ", ["blank"] = @" \t", ["punct"] = @"!-/:-@\[-`{-~", ["xdigit"] = "0-9A-Fa-f",
        ["word"] = "a-zA-Z0-9_", ["cntrl"] = @"\x00-\x1f\x7f", ["print"] = @"\x20-\x7e", ["graph"] = @"\x21-\x7e", ["ascii"] = @"\x00-\x7f",
    };

    public static string Translate(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        var classStart = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var n = pattern[i + 1];
                if (n == 'Q')
                {
                    var end = pattern.IndexOf(@"\E", i + 2, StringComparison.Ordinal);
                    var literal = end < 0 ? pattern[(i + 2)..] : pattern[(i + 2)..end];
                    sb.Append(inClass ? literal.Replace(@"\", @"\\").Replace("]", @"\]").Replace("-", @"\-").Replace("^", @"\^") : Regex.Escape(literal));
                    i = end < 0 ? pattern.Length : end + 1;
                    continue;
                }
                if (n == 'x' && i + 2 < pattern.Length && pattern[i + 2] == '{')
                {
                    var end = pattern.IndexOf('}', i + 3);
                    if (end > 0 && int.TryParse(pattern[(i + 3)..end], System.Globalization.NumberStyles.HexNumber, null, out var code) && code <= 0xFFFF)
                    {
                        sb.Append(code <= 0xFF ? $@"\x{code:x2}" : $@"\u{code:x4}");
                        i = end;
                        continue;
                    }
                }
                var replacement = (n, inClass) switch
                {
                    ('d', false) => "[0-9]",
                    ('d', true) => "0-9",
                    ('w', false) => "[a-zA-Z0-9_]",
                    ('w', true) => "a-zA-Z0-9_",
                    ('s', false) => @"[\t\n\v\f\r ]",
                    ('s', true) => @"\t\n\v\f\r ",
                    ('D', false) => "[^0-9]",
                    ('W', false) => "[^a-zA-Z0-9_]",
                    ('S', false) => @"[^\t\n\v\f\r ]",
                    ('h', false) => @"[\t ]",
                    ('h', true) => @"\t ",
                    ('R', false) => @"(?:\r\n|\n|\r)",
                    ('/', _) => "/",
                    _ => null,
                };
                if (replacement is not null) sb.Append(replacement);
                else sb.Append(c).Append(n);
                i++;
                continue;
            }
            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                {
                    var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    if (end > 0)
                    {
                        var name = pattern[(i + 2)..end];
                        var negated = name.StartsWith('^');
                        if (!negated && Posix.TryGetValue(name, out var range)) { sb.Append(range); i = end + 1; continue; }
                    }
                }
                if (c == '[') { sb.Append(@"\["); continue; } // a literal '[' inside a class (.NET would read "-[" as subtraction)
                if (c == ']' && i > classStart) inClass = false;
                sb.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                sb.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') sb.Append(pattern[++i]);
                classStart = i + 1; // a ']' right here is a literal
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') { sb.Append(@"\]"); i++; }
                continue;
            }
            if (c == '(' && pattern.AsSpan(i).StartsWith("(?P<")) { sb.Append("(?<"); i += 3; continue; }
            if (c == '+' && i > 0 && IsQuantifierEnd(pattern, i - 1)) continue; // possessive: read as greedy
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsQuantifierEnd(string pattern, int i)
    {
        var c = pattern[i];
        if (c is not ('*' or '+' or '?' or '}')) return false;
        // escaped: "\+" is a literal, and so the '+' after it is a quantifier, not a possessive mark
        var backslashes = 0;
        for (var j = i - 1; j >= 0 && pattern[j] == '\\'; j--) backslashes++;
        if (backslashes % 2 == 1) return false;
        if (c == '+' && i > 0 && IsQuantifierEnd(pattern, i - 1)) return false; // "a++" + : the second is possessive, a third would be a quantifier
        if (c == '?' && i > 0 && pattern[i - 1] == '(') return false;
        return true;
    }
}
