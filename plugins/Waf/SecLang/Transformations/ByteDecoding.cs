using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary>Base64, hex, SQL hex literals, and UTF-8 to <c>%uXXXX</c>.</summary>
public static class ByteDecoding
{
    /// <summary>Decodes up to the first character outside the alphabet (<c>Ext</c>: skips such characters instead).</summary>
    public static string Base64(string s, bool extended)
    {
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var c in s)
        {
            int v = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' or '-' => 62,
                '/' or '_' => 63,
                _ => -1,
            };
            if (v < 0)
            {
                if (c == '=' || extended) continue;
                break;
            }
            buffer = (buffer << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                sb.Append((char)((buffer >> bits) & 0xFF));
            }
        }
        return sb.ToString();
    }

    public static string Hex(string s)
    {
        var sb = new StringBuilder(s.Length / 2);
        for (var i = 0; i + 1 < s.Length; i += 2)
        {
            if (!char.IsAsciiHexDigit(s[i]) || !char.IsAsciiHexDigit(s[i + 1])) break;
            sb.Append((char)Transformations.Hex.Value(s, i, 2));
        }
        return sb.ToString();
    }

    /// <summary><c>0x414243</c> inside a value becomes <c>ABC</c>.</summary>
    public static string SqlHex(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '0' && i + 3 < s.Length && s[i + 1] is 'x' or 'X' && char.IsAsciiHexDigit(s[i + 2]) && char.IsAsciiHexDigit(s[i + 3]))
            {
                var j = i + 2;
                while (j + 1 < s.Length && char.IsAsciiHexDigit(s[j]) && char.IsAsciiHexDigit(s[j + 1]))
                {
                    sb.Append((char)Transformations.Hex.Value(s, j, 2));
                    j += 2;
                }
                i = j - 1;
                continue;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>Each well-formed multi-byte UTF-8 sequence becomes <c>%uXXXX</c>; other bytes stay.</summary>
    public static string Utf8ToUnicode(string s)
    {
        var i = 0;
        while (i < s.Length && s[i] < 0x80) i++;
        if (i == s.Length) return s;
        var sb = new StringBuilder(s.Length + 16);
        sb.Append(s, 0, i);
        while (i < s.Length)
        {
            var c = s[i];
            int length = c switch { >= (char)0xC2 and <= (char)0xDF => 2, >= (char)0xE0 and <= (char)0xEF => 3, >= (char)0xF0 and <= (char)0xF4 => 4, _ => 1 };
            if (length > 1 && i + length <= s.Length && Continuations(s, i + 1, length - 1))
            {
                var code = length switch
                {
                    2 => ((c & 0x1F) << 6) | (s[i + 1] & 0x3F),
                    3 => ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F),
                    _ => ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F),
                };
                sb.Append("%u").Append(code.ToString(code > 0xFFFF ? "x5" : "x4"));
                i += length;
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    private static bool Continuations(string s, int start, int count)
    {
        for (var i = start; i < start + count; i++) if ((s[i] & 0xC0) != 0x80 || s[i] > 0xFF) return false;
        return true;
    }
}
