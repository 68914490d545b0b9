using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang.BodyProcessors;

/// <summary>What a <c>multipart/form-data</c> body holds: fields, files and each part's headers.</summary>
public sealed class MultipartResult
{
    public Collection Fields { get; } = new();
    /// <summary>Field name → file name.</summary>
    public Collection Files { get; } = new();
    public Collection FileSizes { get; } = new();
    /// <summary>Field name → each header line of its part.</summary>
    public Collection PartHeaders { get; } = new();
    public bool StrictError { get; set; }
    public bool UnmatchedBoundary { get; set; }
    public string? Error { get; set; }
}

/// <summary>Parses <c>multipart/form-data</c> (RFC 7578), flagging what ModSecurity's strict checks flag.</summary>
public static partial class MultipartBody
{
    [GeneratedRegex("""boundary\s*=\s*(?:"(?<q>[^"]*)"|(?<b>[^;,\s]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex BoundaryParameter();

    [GeneratedRegex("""(?<key>name|filename)\s*=\s*(?:"(?<q>(?:[^"\\]|\\.)*)"|(?<v>[^;\s]*))""", RegexOptions.IgnoreCase)]
    private static partial Regex DispositionParameter();

    public static MultipartResult Parse(string body, string contentType)
    {
        var result = new MultipartResult();
        var m = BoundaryParameter().Match(contentType);
        if (!m.Success)
        {
            result.Error = "Multipart: boundary not found in the content type";
            result.StrictError = true;
            return result;
        }
        var boundary = "--" + (m.Groups["q"].Success ? m.Groups["q"].Value : m.Groups["b"].Value);
        var at = body.IndexOf(boundary, StringComparison.Ordinal);
        if (at < 0)
        {
            result.Error = "Multipart: no part starts with the boundary";
            result.StrictError = true;
            return result;
        }
        if (at > 0) result.StrictError = true; // data before the first boundary
        var closed = false;
        while (true)
        {
            var afterBoundary = at + boundary.Length;
            if (string.CompareOrdinal(body, afterBoundary, "--", 0, 2) == 0) { closed = true; break; }
            var partStart = body.IndexOf('\n', afterBoundary);
            if (partStart < 0) break;
            partStart++;
            var next = body.IndexOf("\n" + boundary, partStart, StringComparison.Ordinal);
            if (next < 0)
            {
                result.UnmatchedBoundary = true;
                ReadPart(body[partStart..], result);
                break;
            }
            var end = next > 0 && body[next - 1] == '\r' ? next - 1 : next;
            ReadPart(body[partStart..end], result);
            at = next + 1;
        }
        if (!closed) result.StrictError = true;
        if (result.UnmatchedBoundary) result.StrictError = true;
        return result;
    }

    private static void ReadPart(string part, MultipartResult result)
    {
        var headerEnd = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var separator = 4;
        if (headerEnd < 0)
        {
            headerEnd = part.IndexOf("\n\n", StringComparison.Ordinal);
            separator = 2;
            result.StrictError = true; // LF-only line ends
        }
        if (headerEnd < 0)
        {
            result.StrictError = true;
            return;
        }
        var headers = part[..headerEnd].Split('\n').Select(h => h.TrimEnd('\r')).Where(h => h.Length > 0).ToList();
        var content = part[(headerEnd + separator)..];
        string? name = null, filename = null;
        foreach (var header in headers)
        {
            if (!header.StartsWith("content-disposition:", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (Match p in DispositionParameter().Matches(header))
            {
                var value = p.Groups["q"].Success ? p.Groups["q"].Value.Replace("\\\"", "\"").Replace(@"\\", @"\") : p.Groups["v"].Value;
                if (p.Groups["key"].Value.Equals("name", StringComparison.OrdinalIgnoreCase)) name ??= value;
                else filename ??= value;
            }
        }
        if (name is null)
        {
            result.StrictError = true;
            return;
        }
        foreach (var header in headers) result.PartHeaders.Add(name, header);
        if (filename is not null)
        {
            result.Files.Add(name, filename);
            result.FileSizes.Add(name, content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            result.Fields.Add(name, content);
        }
    }
}
