using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Data.Registries;

public sealed class RegistryException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// A small OCI distribution (Docker registry v2) client: basic authentication (and the bearer-token flow when the registry
/// asks for it), <c>/v2/_catalog</c>, <c>/v2/{repo}/tags/list</c> and manifests by tag or digest (digest verified).
/// </summary>
public sealed class RegistryClient(Uri baseUrl, string username, string? password) : IDisposable
{
    public static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
        BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60),
    };
    private string? _bearer;

    private AuthenticationHeaderValue? Basic =>
        username.Length == 0 && string.IsNullOrEmpty(password) ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    private async Task<HttpResponseMessage> SendAsync(string path, string[]? accept, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = _bearer is not null ? new AuthenticationHeaderValue("Bearer", _bearer) : Basic;
            foreach (var a in accept ?? ["application/json"]) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(a));
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException e)
            {
                throw new RegistryException(502, $"the registry is unreachable: {e.Message}");
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new RegistryException(504, "the registry did not answer in time");
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && _bearer is null
                && response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is { } challenge)
            {
                response.Dispose();
                _bearer = await TokenAsync(challenge.Parameter ?? "", ct);
                continue;
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                throw new RegistryException(502, "the registry refused the credentials (401)");
            }
            return response;
        }
        throw new RegistryException(502, "the registry refused the token");
    }

    /// <summary>The token flow: GET realm?service=&amp;scope= with basic credentials.</summary>
    private async Task<string> TokenAsync(string parameter, CancellationToken ct)
    {
        var fields = parameter.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim().Trim('"'));
        if (!fields.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)) throw new RegistryException(502, "the registry's token challenge has no realm");
        var query = string.Join('&', fields.Where(f => f.Key is "service" or "scope").Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realmUri) { Query = query }.Uri);
        request.Headers.Authorization = Basic;
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new RegistryException(502, $"the registry's token service answered {(int)response.StatusCode}");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        return (string?)json?["token"] ?? (string?)json?["access_token"] ?? throw new RegistryException(502, "the token service gave no token");
    }

    private async Task<JsonNode> JsonAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(path, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new RegistryException(404, $"not in the registry: {path}");
        if (!response.IsSuccessStatusCode) throw new RegistryException(502, $"the registry answered {(int)response.StatusCode} to {path}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) ?? throw new RegistryException(502, "empty answer");
    }

    /// <summary>GET /v2/: whether the registry speaks the API and takes the credentials.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        using var response = await SendAsync("/v2/", null, ct);
        if (!response.IsSuccessStatusCode) throw new RegistryException(502, $"GET /v2/ answered {(int)response.StatusCode}: not an OCI distribution registry?");
    }

    public async Task<IReadOnlyList<string>> RepositoriesAsync(CancellationToken ct)
    {
        var json = await JsonAsync("/v2/_catalog?n=1000", ct);
        return json["repositories"]?.AsArray().Select(r => (string)r!).ToList() ?? [];
    }

    public async Task<IReadOnlyList<string>> TagsAsync(string repository, CancellationToken ct)
    {
        var json = await JsonAsync($"/v2/{repository}/tags/list", ct);
        return json["tags"]?.AsArray().Select(t => (string)t!).ToList() ?? [];
    }

    /// <summary>The manifest for a tag or digest: its bytes, media type and digest (checked against the bytes).</summary>
    public async Task<(byte[] Data, string MediaType, string Digest)> ManifestAsync(string repository, string reference, long maxBytes, CancellationToken ct)
    {
        using var response = await SendAsync($"/v2/{repository}/manifests/{reference}", ManifestTypes, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new RegistryException(404, $"no manifest {repository}:{reference}");
        if (!response.IsSuccessStatusCode) throw new RegistryException(502, $"the registry answered {(int)response.StatusCode} for the manifest");
        if (response.Content.Headers.ContentLength > maxBytes) throw new RegistryException(502, "the manifest is too large");
        var data = await response.Content.ReadAsByteArrayAsync(ct);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest) throw new RegistryException(502, "the manifest does not match the digest asked for");
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var header) && header.FirstOrDefault() is { } announced && announced != digest)
            throw new RegistryException(502, "the manifest does not match the registry's Docker-Content-Digest");
        return (data, response.Content.Headers.ContentType?.MediaType ?? "application/vnd.oci.image.manifest.v1+json", digest);
    }

    public void Dispose() => _http.Dispose();
}
