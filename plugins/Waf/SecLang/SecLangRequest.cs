using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// A request as the SecLang engine sees it. Text is a byte string (one char per byte, Latin-1), as ModSecurity
/// sees it: <see cref="FromText"/> turns .NET strings (UTF-16) into their UTF-8 bytes.
/// </summary>
public sealed record SecLangRequest(
    string RemoteAddress,
    int RemotePort,
    string Method,
    string Uri,
    string Protocol,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body)
{
    /// <summary>Each char above 127 stands for the bytes of its UTF-8 encoding.</summary>
    public static string Bytes(string text)
    {
        foreach (var c in text)
            if (c > 127) return Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
        return text;
    }

    public static SecLangRequest FromText(string remoteAddress, int remotePort, string method, string uri, string protocol,
        IEnumerable<KeyValuePair<string, string>> headers, byte[]? body) =>
        new(remoteAddress, remotePort, method, Bytes(uri), protocol, [.. headers.Select(h => new KeyValuePair<string, string>(Bytes(h.Key), Bytes(h.Value)))], body);
}
