using Edgeplane.Plugins.Waf.SecLang.Variables;

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
    public static SecLangRequest FromText(string remoteAddress, int remotePort, string method, string uri, string protocol,
        IEnumerable<KeyValuePair<string, string>> headers, byte[]? body) =>
        new(remoteAddress, remotePort, method, ByteText.Of(uri), protocol, [.. headers.Select(h => new KeyValuePair<string, string>(ByteText.Of(h.Key), ByteText.Of(h.Value)))], body);
}
