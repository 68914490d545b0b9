using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Compute.Tests;

/// <summary>
/// A single-plugin node with a <c>seed</c> mount at the root of its own port (the document's <c>/api/...</c>) beside the
/// native <c>/compute</c> mount: every list of the document ("List of instances", "List of images", "List of nodes",
/// "List of users") is one shape there, a complete JSON array.
/// </summary>
public sealed class SeedProfileTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly int _seedPort = FreePort.Next();
    private HostProcess _host = null!;

    public async ValueTask InitializeAsync() => _host = await HostProcess.StartAsync(new HostOptions
    {
        Plugins = ["Edgeplane.Plugins.Compute"],
        Environment = new()
        {
            ["Edgeplane__Plugins__compute__Mounts__0__At"] = $":{_seedPort}",
            ["Edgeplane__Plugins__compute__Mounts__0__Profile"] = "seed",
            ["Edgeplane__Plugins__compute__Mounts__1"] = "/compute",
        },
    });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonNode> GetAsync(string url)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add("x-api-key", _host.AdminKey);
        using var response = await client.GetAsync(url, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task Every_list_of_the_document_is_a_complete_array_on_the_seed_mount()
    {
        foreach (var path in new[] { "/api/instances", "/api/images", "/api/nodes", "/api/users" })
            Assert.True(await GetAsync($"http://127.0.0.1:{_seedPort}{path}") is JsonArray, path);
        Assert.True(await GetAsync($"http://127.0.0.1:{_seedPort}/api/instances?limit=1") is JsonArray); // no page on the seed mount

        var native = await GetAsync($"{_host.BaseAddress}compute/api/instances");
        Assert.NotNull(native["items"]); // the native mount keeps its page
    }

    private static readonly (string Method, string Path)[] DocumentedRoutes =
    [
        ("GET", "/api/users"), ("POST", "/api/getUser"), ("POST", "/api/users/create"), ("GET", "/api/instances"),
        ("POST", "/api/instances/deploy"), ("DELETE", "/api/instance/delete"), ("POST", "/api/getUserInstance"),
        ("POST", "/api/getInstance"), ("GET", "/api/images"), ("GET", "/api/nodes"), ("POST", "/api/nodes/create"),
        ("DELETE", "/api/nodes/delete"),
    ];

    private async Task<HttpStatusCode> SendAsync(string method, string path, string? json, string? key)
    {
        using var client = new HttpClient();
        if (key is not null) client.DefaultRequestHeaders.Add("x-api-key", key);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"http://127.0.0.1:{_seedPort}{path}");
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task Every_documented_route_answers_the_documents_status_codes_for_the_callers_mistakes()
    {
        // "401: API key is missing or invalid", on every endpoint.
        foreach (var (method, path) in DocumentedRoutes)
        {
            var body = method == "GET" ? null : "{}";
            Assert.True(await SendAsync(method, path, body, null) == HttpStatusCode.Unauthorized, $"{method} {path} without a key");
            Assert.True(await SendAsync(method, path, body, "not-a-key") == HttpStatusCode.Unauthorized, $"{method} {path} with a wrong key");
        }

        // "400: Missing or invalid parameters, or user not found" and its kin, with the host admin's key.
        var key = _host.AdminKey;
        var cases = new (string Method, string Path, string Json)[]
        {
            ("POST", "/api/getUser", "{}"),
            ("POST", "/api/getUser", """{"type":"phone","value":"x"}"""),
            ("POST", "/api/getUser", """{"type":"username"}"""),
            ("POST", "/api/getUser", """{"type":"username","value":"nobody-here"}"""),
            ("POST", "/api/getUser", """{"type":"email","value":"nobody@example.invalid"}"""),
            ("POST", "/api/instances/deploy", "{}"),
            ("POST", "/api/instances/deploy", """{"image":"no-such-image","name":"x"}"""),
            ("DELETE", "/api/instance/delete", "{}"),
            ("DELETE", "/api/instance/delete", """{"id":"no-such-instance"}"""),
            ("POST", "/api/getUserInstance", "{}"),
            ("POST", "/api/getUserInstance", """{"userId":"no-such-user"}"""),
            ("POST", "/api/getInstance", "{}"),
            ("POST", "/api/getInstance", """{"id":"no-such-instance"}"""),
            ("POST", "/api/nodes/create", "{}"),
            ("POST", "/api/nodes/create", """{"name":"n","tags":"a","ram":"1g","disk":"1g","processor":"1","address":"127.0.0.1","port":"1","tls":false}"""),
            ("DELETE", "/api/nodes/delete", "{}"),
            ("DELETE", "/api/nodes/delete", """{"nodeId":"no-such-node"}"""),
            ("POST", "/api/getInstance", "{not json"),
            ("POST", "/api/getInstance", ""),
        };
        foreach (var (method, path, json) in cases)
        {
            var status = await SendAsync(method, path, json, key);
            Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path} {json}: {(int)status}");
        }
        Assert.Equal(HttpStatusCode.Created, await SendAsync("POST", "/api/getUser", """{"type":"username","value":"admin"}""", key));
    }
}
