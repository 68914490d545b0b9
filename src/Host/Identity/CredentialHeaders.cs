namespace Edgeplane.Host.Identity;

/// <summary>
/// Where an API key may be presented: <c>Authorization: Bearer</c> or <c>apiKey</c>, <c>X-API-Key</c>,
/// and any header name an active plugin declared in its manifest (e.g. <c>X-SecBeat-API-Key</c>).
/// </summary>
public sealed class CredentialHeaders(IEnumerable<string> pluginHeaders)
{
    private readonly string[] _headers = ["X-API-Key", .. pluginHeaders.Distinct(StringComparer.OrdinalIgnoreCase)];

    public IReadOnlyList<string> Names => _headers;

    public string? ReadApiKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            var space = authorization.IndexOf(' ');
            if (space > 0)
            {
                var scheme = authorization[..space];
                if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("apiKey", StringComparison.OrdinalIgnoreCase))
                    return authorization[(space + 1)..].Trim();
            }
        }
        foreach (var header in _headers)
            if (request.Headers.TryGetValue(header, out var value) && value.ToString() is { Length: > 0 } key)
                return key.Trim();
        return null;
    }
}
