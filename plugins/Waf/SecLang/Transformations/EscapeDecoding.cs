using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary>Backslash escapes: JavaScript (<c>jsDecode</c>), CSS 2.x (<c>cssDecode</c>) and C/ANSI (<c>escapeSeqDecode</c>).</summary>
public static class EscapeDecoding
{
    public static string Js(string s)
    {
        if (s.IndexOf('\\') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length) { sb.Append(s[i]); continue; }
            var n = s[i + 1];
            if (n is 'u' && i + 5 < s.Length && AllHex(s, i + 2, 4)) { sb.Append(Hex.Unicode(Hex.Value(s, i + 2, 4))); i += 5; continue; }
            if (n is 'x' && i + 3 < s.Length && AllHex(s, i + 2, 2)) { sb.Append((char)Hex.Value(s, i + 2, 2)); i += 3; continue; }
            if (n is >= '0' and <= '7')
            {
                var j = i + 1;
                var v = 0;
                while (j < s.Length && j < i + 4 && s[j] is >= '0' and <= '7' && v * 8 + (s[j] - '0') <= 0xFF) v = v * 8 + (s[j++] - '0');
                sb.Append((char)v);
                i = j - 1;
                continue;
            }
            sb.Append(Simple(n));
            i++;
        }
        return sb.ToString();
    }

    public static string Ansi(string s)
    {
        if (s.IndexOf('\\') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length) { sb.Append(s[i]); continue; }
            var n = s[i + 1];
            if (n is 'x' or 'X' && i + 3 < s.Length && AllHex(s, i + 2, 2)) { sb.Append((char)Hex.Value(s, i + 2, 2)); i += 3; continue; }
            if (n is >= '0' and <= '7')
            {
                var j = i + 1;
                var v = 0;
                while (j < s.Length && j < i + 4 && s[j] is >= '0' and <= '7') v = v * 8 + (s[j++] - '0');
                sb.Append((char)(v & 0xFF));
                i = j - 1;
                continue;
            }
            if (n is 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '\\' or '?' or '\'' or '"') { sb.Append(Simple(n)); i++; continue; }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    public static string Css(string s)
    {
        if (s.IndexOf('\\') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\') { sb.Append(s[i]); continue; }
            if (i + 1 >= s.Length) break; // a trailing backslash is dropped
            var j = i + 1;
            var start = j;
            while (j < s.Length && j < start + 6 && char.IsAsciiHexDigit(s[j])) j++;
            if (j > start)
            {
                var digits = j - start;
                var code = Hex.Value(s, start, digits);
                // full-width ASCII (U+FF01–FF5E) becomes ASCII; otherwise the low byte
                sb.Append(digits >= 4 && (code & 0xFFFF00) == 0xFF00 && (code & 0xFF) is > 0 and < 0x5F ? (char)((code & 0xFF) + 0x20) : (char)(code & 0xFF));
                if (j < s.Length && s[j] is ' ' or '\t' or '\n' or '\r' or '\f') j++;
                i = j - 1;
                continue;
            }
            if (s[j] == '\n') { i = j; continue; } // an escaped newline is removed
            sb.Append(s[j]);
            i = j;
        }
        return sb.ToString();
    }

    private static bool AllHex(string s, int start, int length)
    {
        for (var i = start; i < start + length; i++) if (!char.IsAsciiHexDigit(s[i])) return false;
        return true;
    }

    private static char Simple(char c) => c switch
    {
        'a' => '\a',
        'b' => '\b',
        'f' => '\f',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\v',
        _ => c,
    };
}
