using System.Security.Cryptography;
using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary>
/// The transformations (<c>t:</c>), by name. Values are byte strings: one char per byte (Latin-1), as
/// ModSecurity sees them, so a decoder that produces a byte produces the char of that byte.
/// </summary>
public static class Transformation
{
    private static readonly Dictionary<string, Func<string, string>> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lowercase"] = AsciiLower,
        ["uppercase"] = s => string.Create(s.Length, s, (span, src) => { for (var i = 0; i < src.Length; i++) span[i] = src[i] is >= 'a' and <= 'z' ? (char)(src[i] - 32) : src[i]; }),
        ["urlDecode"] = s => UrlDecoding.Decode(s, unicode: false),
        ["urlDecodeUni"] = s => UrlDecoding.Decode(s, unicode: true),
        ["urlEncode"] = UrlDecoding.Encode,
        ["htmlEntityDecode"] = EntityDecoding.Html,
        ["jsDecode"] = EscapeDecoding.Js,
        ["cssDecode"] = EscapeDecoding.Css,
        ["escapeSeqDecode"] = EscapeDecoding.Ansi,
        ["cmdLine"] = Normalisation.CmdLine,
        ["compressWhitespace"] = Normalisation.CompressWhitespace,
        ["removeWhitespace"] = s => Filter(s, c => !Normalisation.IsSpace(c)),
        ["removeNulls"] = s => s.Contains('\0') ? s.Replace("\0", "") : s,
        ["replaceNulls"] = s => s.Replace('\0', ' '),
        ["replaceComments"] = Normalisation.ReplaceComments,
        ["removeComments"] = Normalisation.RemoveComments,
        ["removeCommentsChar"] = s => s.Replace("/*", "").Replace("*/", "").Replace("<!--", "").Replace("-->", "").Replace("--", "").Replace("#", ""),
        ["normalisePath"] = s => Normalisation.Path(s, windows: false),
        ["normalizePath"] = s => Normalisation.Path(s, windows: false),
        ["normalisePathWin"] = s => Normalisation.Path(s, windows: true),
        ["normalizePathWin"] = s => Normalisation.Path(s, windows: true),
        ["base64Decode"] = s => ByteDecoding.Base64(s, extended: false),
        ["base64DecodeExt"] = s => ByteDecoding.Base64(s, extended: true),
        ["base64Encode"] = s => Convert.ToBase64String(Encoding.Latin1.GetBytes(s)),
        ["hexDecode"] = ByteDecoding.Hex,
        ["hexEncode"] = s => Convert.ToHexStringLower(Encoding.Latin1.GetBytes(s)),
        ["sqlHexDecode"] = ByteDecoding.SqlHex,
        ["utf8toUnicode"] = ByteDecoding.Utf8ToUnicode,
        ["length"] = s => s.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["trim"] = s => s.Trim(Normalisation.Spaces),
        ["trimLeft"] = s => s.TrimStart(Normalisation.Spaces),
        ["trimRight"] = s => s.TrimEnd(Normalisation.Spaces),
        ["md5"] = s => Encoding.Latin1.GetString(MD5.HashData(Encoding.Latin1.GetBytes(s))),
        ["sha1"] = s => Encoding.Latin1.GetString(SHA1.HashData(Encoding.Latin1.GetBytes(s))),
    };

    public static Func<string, string>? Find(string name) => ByName.GetValueOrDefault(name);

    private static readonly Func<string, string> Lowercase = ByName["lowercase"], Uppercase = ByName["uppercase"];

    /// <summary>Whether the transformation changes only the case of ASCII letters (<c>lowercase</c>, <c>uppercase</c>).</summary>
    public static bool ChangesCaseOnly(Func<string, string> transformation) =>
        ReferenceEquals(transformation, Lowercase) || ReferenceEquals(transformation, Uppercase);

    public static bool Exists(string name) => name.Equals("none", StringComparison.OrdinalIgnoreCase) || ByName.ContainsKey(name);

    /// <summary>ASCII only, like C's <c>tolower</c> in ModSecurity: bytes above 127 are left alone.</summary>
    public static string AsciiLower(string s)
    {
        var i = 0;
        while (i < s.Length && s[i] is not (>= 'A' and <= 'Z')) i++;
        if (i == s.Length) return s;
        return string.Create(s.Length, s, (span, src) => { for (var j = 0; j < src.Length; j++) span[j] = src[j] is >= 'A' and <= 'Z' ? (char)(src[j] + 32) : src[j]; });
    }

    private static string Filter(string s, Func<char, bool> keep)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s) if (keep(c)) sb.Append(c);
        return sb.Length == s.Length ? s : sb.ToString();
    }
}
