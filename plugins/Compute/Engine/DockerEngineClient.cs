using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Compute.Engine;

/// <summary>
/// A small typed client for the Docker Engine REST API (v1.41), which Docker and Podman's
/// compatibility service both serve: version and ping, images (inspect, pull, import), containers
/// (create, start, stop, kill, restart, inspect, list by label, logs, stats, remove).
/// Engine errors become <see cref="EngineException"/>; an unreachable engine <see cref="EngineUnreachableException"/>.
/// </summary>
public sealed class DockerEngineClient : IDisposable
{
    public const string DefaultApiVersion = "v1.41";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly string _prefix;

    public DockerEngineClient(EngineEndpoint endpoint, EngineTlsOptions? tls = null, TimeSpan? timeout = null, string apiVersion = DefaultApiVersion)
        : this(new HttpClient(EngineHandlers.Create(endpoint, tls)) { BaseAddress = EngineHandlers.BaseAddress(endpoint), Timeout = timeout ?? TimeSpan.FromSeconds(60) }, endpoint, apiVersion)
    {
    }

    private DockerEngineClient(HttpClient http, EngineEndpoint endpoint, string apiVersion)
    {
        _http = http;
        Endpoint = endpoint;
        _prefix = apiVersion.Length > 0 ? "/" + apiVersion.Trim('/') : "";
    }

    public EngineEndpoint Endpoint { get; }

    // ---- system

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "/_ping", null, cancellationToken, versioned: false);
        return (await response.Content.ReadAsStringAsync(cancellationToken)).Trim() == "OK";
    }

    public Task<EngineVersion> GetVersionAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync<EngineVersion>("/version", cancellationToken);

    // ---- images

    /// <summary>The images the engine has locally (<c>docker images</c>).</summary>
    public Task<IReadOnlyList<ImageSummary>> ListImagesAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync<IReadOnlyList<ImageSummary>>("/images/json", cancellationToken);

    /// <summary>The image, or null when the engine does not have it.</summary>
    public async Task<ImageInspect?> InspectImageAsync(string reference, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetJsonAsync<ImageInspect>($"/images/{Uri.EscapeDataString(reference)}/json", cancellationToken);
        }
        catch (EngineException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Pulls an image from its registry; throws with the engine's message when the pull fails.</summary>
    public async Task PullImageAsync(string reference, CancellationToken cancellationToken = default)
    {
        var (image, tag) = SplitReference(reference);
        var query = $"/images/create?fromImage={Uri.EscapeDataString(image)}" + (tag is null ? "" : $"&tag={Uri.EscapeDataString(tag)}");
        using var response = await SendAsync(HttpMethod.Post, query, null, cancellationToken);
        await ThrowOnProgressErrorAsync(response, cancellationToken);
    }

    /// <summary>Imports a root filesystem tarball as an image (<c>docker import</c>), with optional Dockerfile changes such as <c>CMD ["/bin/sh"]</c>.</summary>
    public async Task ImportImageAsync(Stream tarball, string reference, IEnumerable<string>? changes = null, CancellationToken cancellationToken = default)
    {
        // The repository parameter carries the tag: podman ignores a separate tag parameter on import.
        var query = new StringBuilder($"/images/create?fromSrc=-&repo={Uri.EscapeDataString(reference)}");
        foreach (var change in changes ?? []) query.Append("&changes=").Append(Uri.EscapeDataString(change));
        var content = new StreamContent(tarball);
        content.Headers.ContentType = new("application/x-tar");
        using var response = await SendAsync(HttpMethod.Post, query.ToString(), content, cancellationToken);
        await ThrowOnProgressErrorAsync(response, cancellationToken);
    }

    public async Task RemoveImageAsync(string reference, bool force = false, CancellationToken cancellationToken = default)
    {
        try
        {
            using var _ = await SendAsync(HttpMethod.Delete, $"/images/{Uri.EscapeDataString(reference)}?force={Bool(force)}", null, cancellationToken);
        }
        catch (EngineException e) when (e.IsNotFound) { }
    }

    // ---- containers

    public async Task<CreateContainerResponse> CreateContainerAsync(string? name, CreateContainerRequest request, CancellationToken cancellationToken = default)
    {
        var path = "/containers/create" + (name is null ? "" : "?name=" + Uri.EscapeDataString(name));
        using var response = await SendAsync(HttpMethod.Post, path, JsonContent.Create(request, options: Json), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<CreateContainerResponse>(Json, cancellationToken))!;
    }

    public async Task StartContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"/containers/{Uri.EscapeDataString(id)}/start", null, cancellationToken, acceptNotModified: true);
    }

    /// <summary>Stops the container: SIGTERM, then SIGKILL after <paramref name="timeout"/>. A stopped container is fine.</summary>
    public async Task StopContainerAsync(string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var query = timeout is { } t ? $"?t={(int)Math.Ceiling(t.TotalSeconds)}" : "";
        using var _ = await SendAsync(HttpMethod.Post, $"/containers/{Uri.EscapeDataString(id)}/stop{query}", null, cancellationToken, acceptNotModified: true);
    }

    public async Task RestartContainerAsync(string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var query = timeout is { } t ? $"?t={(int)Math.Ceiling(t.TotalSeconds)}" : "";
        using var _ = await SendAsync(HttpMethod.Post, $"/containers/{Uri.EscapeDataString(id)}/restart{query}", null, cancellationToken);
    }

    public async Task KillContainerAsync(string id, string signal = "SIGKILL", CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"/containers/{Uri.EscapeDataString(id)}/kill?signal={Uri.EscapeDataString(signal)}", null, cancellationToken);
    }

    /// <summary>The container, or null when it does not exist.</summary>
    public async Task<ContainerInspect?> InspectContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetJsonAsync<ContainerInspect>($"/containers/{Uri.EscapeDataString(id)}/json", cancellationToken);
        }
        catch (EngineException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Containers (running and stopped) carrying <paramref name="label"/> (<c>key</c> or <c>key=value</c>).</summary>
    public Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(string? label = null, bool all = true, CancellationToken cancellationToken = default)
    {
        var query = $"/containers/json?all={Bool(all)}";
        if (label is not null)
            query += "&filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [label] }));
        return GetJsonAsync<IReadOnlyList<ContainerSummary>>(query, cancellationToken);
    }

    /// <summary>
    /// The container's log as frames (stdout and stderr), decoded from the multiplexed stream.
    /// <paramref name="tail"/> null means all; with <paramref name="follow"/> the enumeration runs until the container stops or the token is cancelled.
    /// </summary>
    public async IAsyncEnumerable<LogFrame> GetLogsAsync(string id, int? tail = null, bool follow = false, bool timestamps = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = $"/containers/{Uri.EscapeDataString(id)}/logs?stdout=true&stderr=true&follow={Bool(follow)}&timestamps={Bool(timestamps)}&tail={(tail is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")}";
        using var response = await SendAsync(HttpMethod.Get, query, null, cancellationToken, streaming: true);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var frame in MultiplexedStreamReader.ReadAsync(stream, cancellationToken))
            yield return frame;
    }

    /// <summary>One resource-usage sample (the engine samples twice so that CPU percent can be computed).</summary>
    public Task<ContainerStats> GetStatsAsync(string id, CancellationToken cancellationToken = default) =>
        GetJsonAsync<ContainerStats>($"/containers/{Uri.EscapeDataString(id)}/stats?stream=false", cancellationToken);

    /// <summary>
    /// Removes a container right away, running or not: SIGKILL first (what <c>podman rm -f -t 0</c> does; a
    /// forced remove alone waits for the engine's stop sequence), then remove. A missing container is not an error.
    /// </summary>
    public async Task<bool> DestroyContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await KillContainerAsync(id, cancellationToken: cancellationToken);
        }
        catch (EngineException) { } // not running, or gone: the remove below tells
        return await RemoveContainerAsync(id, force: true, cancellationToken);
    }

    /// <summary>Removes the container (with <paramref name="force"/>, even a running one). A missing container is not an error.</summary>
    public async Task<bool> RemoveContainerAsync(string id, bool force = true, CancellationToken cancellationToken = default)
    {
        try
        {
            using var _ = await SendAsync(HttpMethod.Delete, $"/containers/{Uri.EscapeDataString(id)}?force={Bool(force)}&v=true", null, cancellationToken);
            return true;
        }
        catch (EngineException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    // ---- plumbing

    private static string Bool(bool value) => value ? "true" : "false";

    internal static (string Image, string? Tag) SplitReference(string reference)
    {
        if (reference.Contains('@')) return (reference, null);
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        try
        {
            return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
        }
        catch (JsonException e)
        {
            throw new EngineException((int)response.StatusCode, $"the engine answered {path} with JSON this client cannot read: {e.Message}", e);
        }
    }

    /// <summary>Pull and import answer 200 then report failures inside the JSON progress stream.</summary>
    private static async Task ThrowOnProgressErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0 || line[0] != '{') continue;
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String && error.GetString() is { Length: > 0 } message)
                throw new EngineException(500, message);
            if (doc.RootElement.TryGetProperty("errorDetail", out var detail) && detail.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 } message2)
                throw new EngineException(500, message2);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken,
        bool versioned = true, bool streaming = false, bool acceptNotModified = false)
    {
        using var request = new HttpRequestMessage(method, (versioned ? _prefix : "") + path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or IOException || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            throw new EngineUnreachableException($"engine {Endpoint} is unreachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EngineUnreachableException($"engine {Endpoint} did not answer {method} {path} in time", e);
        }
        if (response.IsSuccessStatusCode || (acceptNotModified && response.StatusCode == HttpStatusCode.NotModified)) return response;
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new EngineException((int)response.StatusCode, ErrorMessage(body, response));
        }
    }

    private static string ErrorMessage(string body, HttpResponseMessage response)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
                return text;
        }
        catch (JsonException) { }
        return body.Length > 0 ? body.Trim() : $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    public void Dispose() => _http.Dispose();
}
