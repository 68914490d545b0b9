using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary><c>htmlEntityDecode</c>: <c>&amp;#DDD;</c>, <c>&amp;#xHH;</c> (to the low byte) and <c>quot amp lt gt nbsp</c>; the semicolon is optional.</summary>
public static class EntityDecoding
{
    private static readonly (string Name, char Value)[] Named = [("quot", '"'), ("amp", '&'), ("lt", '<'), ("gt", '>'), ("nbsp", '\u00A0')];

    public static string Html(string s)
    {
        if (s.IndexOf('&') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '&' || i + 1 >= s.Length) { sb.Append(s[i]); continue; }
            var j = i + 1;
            if (s[j] == '#')
            {
                j++;
                var hex = j < s.Length && s[j] is 'x' or 'X';
                if (hex) j++;
                var start = j;
                while (j < s.Length && (hex ? char.IsAsciiHexDigit(s[j]) : char.IsAsciiDigit(s[j]))) j++;
                if (j == start) { sb.Append(s[i]); continue; }
                var digits = s[start..j];
                var value = 0L;
                foreach (var d in digits.Length > 8 ? digits[^8..] : digits) value = value * (hex ? 16 : 10) + Convert.ToInt32(d.ToString(), 16);
                sb.Append((char)(value & 0xFF));
                if (j < s.Length && s[j] == ';') j++;
                i = j - 1;
                continue;
            }
            var matched = false;
            foreach (var (name, value) in Named)
            {
                if (string.Compare(s, j, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) != 0) continue;
                sb.Append(value);
                j += name.Length;
                if (j < s.Length && s[j] == ';') j++;
                i = j - 1;
                matched = true;
                break;
            }
            if (!matched) sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
