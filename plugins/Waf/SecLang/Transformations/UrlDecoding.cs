using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary>
/// <c>urlDecode</c> / <c>urlDecodeUni</c>: <c>%XX</c> to its byte, <c>+</c> to a space, invalid escapes kept as
/// they are; with <c>Uni</c>, <c>%uXXXX</c> to its low byte (full-width ASCII U+FF01–FF5E to its ASCII char).
/// </summary>
public static class UrlDecoding
{
    public static string Decode(string s, bool unicode)
    {
        if (s.IndexOf('%') < 0 && s.IndexOf('+') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '+') { sb.Append(' '); continue; }
            if (c != '%') { sb.Append(c); continue; }
            if (unicode && i + 5 < s.Length && (s[i + 1] is 'u' or 'U') && Hex.IsHex(s[i + 2]) && Hex.IsHex(s[i + 3]) && Hex.IsHex(s[i + 4]) && Hex.IsHex(s[i + 5]))
            {
                sb.Append(Hex.Unicode(Hex.Value(s, i + 2, 4)));
                i += 5;
                continue;
            }
            if (i + 2 < s.Length && Hex.IsHex(s[i + 1]) && Hex.IsHex(s[i + 2]))
            {
                sb.Append((char)Hex.Value(s, i + 1, 2));
                i += 2;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Encode(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c == ' ') sb.Append('+');
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '*') sb.Append(c);
            else sb.Append('%').Append(((int)c & 0xFF).ToString("x2"));
        }
        return sb.ToString();
    }
}

internal static class Hex
{
    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    public static int Value(string s, int start, int length)
    {
        var v = 0;
        for (var i = start; i < start + length; i++) v = v * 16 + Convert.ToInt32(s[i].ToString(), 16);
        return v;
    }

    /// <summary>A UTF-16 code point from an escape, reduced to one byte the way ModSecurity does without a unicode map.</summary>
    public static char Unicode(int code)
    {
        var low = code & 0xFF;
        if ((code & 0xFF00) == 0xFF00 && low is > 0x00 and < 0x5F) low += 0x20;
        return (char)low;
    }
}
