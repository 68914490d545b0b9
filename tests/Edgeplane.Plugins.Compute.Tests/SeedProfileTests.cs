using System.Net;
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
}
