using System.Globalization;
using System.Text;

namespace Edgeplane.Plugins.Dns.Records;

/// <summary>Master-file text helpers: quoting and escaping of character-strings.</summary>
public static class ZoneText
{
    public const int MaxTxtOctets = 2048;

    /// <summary>
    /// TXT data split into character-strings of at most 255 octets (UTF-8), each ending on a character
    /// boundary: a string never ends inside a multi-octet character, so every string is valid UTF-8 alone.
    /// </summary>
    public static IEnumerable<byte[]> TxtChunks(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length == 0) yield return [];
        for (var start = 0; start < bytes.Length;)
        {
            var end = Math.Min(bytes.Length, start + 255);
            while (end < bytes.Length && (bytes[end] & 0xC0) == 0x80) end--; // bytes[end] continues a character
            yield return bytes[start..end];
            start = end;
        }
    }

    public static string QuoteTxt(string value) => string.Join(" ", TxtChunks(value).Select(Quote));

    /// <summary>A quoted character-string: <c>"</c> and <c>\</c> escaped, octets outside printable ASCII as <c>\DDD</c>.</summary>
    public static string Quote(byte[] octets)
    {
        var sb = new StringBuilder(octets.Length + 2).Append('"');
        foreach (var b in octets)
        {
            if (b is (byte)'"' or (byte)'\\') sb.Append('\\').Append((char)b);
            else if (b is < 0x20 or >= 0x7f) sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            else sb.Append((char)b);
        }
        return sb.Append('"').ToString();
    }
}
