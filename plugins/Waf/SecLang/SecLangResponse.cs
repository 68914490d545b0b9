using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// The upstream's response as the SecLang engine sees it in phase 3 (status line and headers); its body comes
/// separately for phase 4. Text is a byte string, like <see cref="SecLangRequest"/>.
/// </summary>
public sealed record SecLangResponse(int Status, string Protocol, string? Reason, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public static SecLangResponse FromText(int status, string protocol, string? reason, IEnumerable<KeyValuePair<string, string>> headers) =>
        new(status, protocol, reason, [.. headers.Select(h => new KeyValuePair<string, string>(ByteText.Of(h.Key), ByteText.Of(h.Value)))]);
}
