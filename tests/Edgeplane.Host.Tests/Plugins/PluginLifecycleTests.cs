using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// A plugin that stops working stops serving: its routes answer 503 naming it (not a bare 404, not a stale 200),
/// whether it failed while starting or later while running, and the other plugins keep serving.
/// </summary>
public sealed class PluginLifecycleTests(PluginMatrixFixture fixture) : IClassFixture<PluginMatrixFixture>
{
    private HttpClient Client => fixture.Host.Client;

    private async Task<JsonObject> PluginAsync(string id)
    {
        using var admin = fixture.Host.AdminClient();
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", TestContext.Current.CancellationToken);
        return plugins!.OfType<JsonObject>().First(p => (string)p["id"]! == id);
    }

    private async Task AssertUnavailableAsync(string path, string plugin)
    {
        using var response = await Client.GetAsync(path, TestContext.Current.CancellationToken);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(503, (int)problem!["status"]!);
        Assert.Equal(plugin, (string)problem["plugin"]!);
        Assert.Contains($"'{plugin}'", (string)problem["detail"]!);
    }

    [Fact]
    public async Task A_plugin_whose_background_service_fails_while_running_is_failed_and_its_routes_answer_503()
    {
        var ct = TestContext.Current.CancellationToken;
        using var before = await Client.GetAsync("/crashing/ping", ct); // routing has served the plugin before it fails
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal("active", (string)(await PluginAsync("crashing"))["state"]!);
        Assert.True(await AcceptsAsync(fixture.CrashingEarlyPort), "the plugin's early service runs");

        using var crash = await Client.PostAsync("/crashing/crash", null, ct);
        Assert.Equal(HttpStatusCode.Accepted, crash.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var probe = await Client.GetAsync("/crashing/ping", ct);
            if (probe.StatusCode != HttpStatusCode.OK) break;
            await Task.Delay(50, ct);
        }

        await AssertUnavailableAsync("/crashing/ping", "crashing");
        await AssertUnavailableAsync("/crashing/anything/else", "crashing");
        var plugin = await PluginAsync("crashing");
        Assert.Equal("failed", (string)plugin["state"]!);
        Assert.Contains("the worker lost its connection", (string)plugin["reason"]!);
        await WaitUntilRefusedAsync(fixture.CrashingEarlyPort); // the failed plugin's early service is stopped too
        using var other = await Client.GetAsync("/greeter/hello/still_here", ct);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_plugin_whose_background_service_fails_to_start_answers_503_naming_it()
    {
        await AssertUnavailableAsync("/stalling/ping", "stalling");

        var plugin = await PluginAsync("stalling");
        Assert.Equal("failed", (string)plugin["state"]!);
        Assert.Contains("the worker cannot start", (string)plugin["reason"]!);
        await WaitUntilRefusedAsync(fixture.StallingEarlyPort); // started before the server, stopped when the plugin failed
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilRefusedAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await AcceptsAsync(port) && DateTime.UtcNow < deadline) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(await AcceptsAsync(port), $"an early service still listens on {port}");
    }

    [Theory]
    [InlineData("/throwing/never", "throwing")]
    [InlineData("/lonely/hello/x", "lonely")]
    [InlineData("/future/hello/x", "future")]
    public async Task Routes_of_a_plugin_that_failed_or_was_refused_at_startup_answer_503_naming_it(string path, string plugin) =>
        await AssertUnavailableAsync(path, plugin);

    [Fact]
    public async Task Routes_of_a_disabled_plugin_are_not_there()
    {
        using var response = await Client.GetAsync("/sleepy/hello/x", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_failed_duplicate_leaves_the_first_plugin_with_that_id_serving()
    {
        using var response = await Client.GetAsync("/greeter/hello/x", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
