using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Host.Tests.Plugins;

public sealed class PluginLoadingTests(PluginMatrixFixture fixture) : IClassFixture<PluginMatrixFixture>
{
    private HttpClient Client => fixture.Host.Client;

    private async Task<JsonObject> PluginAsync(string id)
    {
        using var admin = fixture.Host.AdminClient();
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", TestContext.Current.CancellationToken);
        return plugins!.OfType<JsonObject>().First(p => (string)p["id"]! == id);
    }

    [Theory]
    [InlineData("greeter", "active", null)]
    [InlineData("shouter", "active", null)]
    [InlineData("porter", "active", null)]
    [InlineData("throwing", "failed", "registration failed: the throwing plugin refuses to register")]
    [InlineData("broken", "failed", "plugin.json is not valid JSON")]
    [InlineData("future", "incompatible", "supports SDK [3.0,4.0); this host provides SDK 2.2.0")]
    [InlineData("legacy", "incompatible", "built against SDK 1.0.0; it needs SDK 1.x, and this host provides SDK 2.2.0")]
    [InlineData("lonely", "failed", "dependency 'Humanizer' 2.14.0.0 could not be loaded")]
    [InlineData("sleepy", "disabled", "disabled by configuration")]
    [InlineData("nameless", "failed", "entry assembly 'Missing.dll' not found")]
    [InlineData("unbound", "failed", "route mapping failed: route GET /unbound/unbindable cannot be built: ")]
    [InlineData("carrier", "active", null)]
    [InlineData("crashing", "active", null)]
    public async Task Each_plugin_is_reported_with_its_state_and_reason(string id, string state, string? reason)
    {
        var plugin = await PluginAsync(id);

        Assert.Equal(state, (string)plugin["state"]!);
        if (reason is null) Assert.Null(plugin["reason"]);
        else Assert.Contains(reason, (string)plugin["reason"]!);
    }

    [Theory]
    [InlineData("""{"text":"hey","volume":"lots"}""", "volume")] // refused by the body binder: a wrong type
    [InlineData("""{"text":"hey","volume":99}""", "volume")] // refused by validation: out of range
    [InlineData("""{"volume":3}""", "text")] // refused by validation: missing
    [InlineData("""{"text":"hey","volume":3,"volume":4}""", "volume")] // refused by the body reader: a repeated key
    public async Task A_plugins_route_filters_answer_the_request_edges_refusals_too(string json, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var refused = await Client.PostAsync("/shouter/loud", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await refused.Content.ReadFromJsonAsync<JsonObject>(ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.NotNull(problem!["errors"]![field]);
        Assert.Equal("seen", refused.Headers.TryGetValues("X-Shouter-Filter", out var seen) ? seen.Single() : null);

        using var accepted = await Client.PostAsync("/shouter/loud", new StringContent("""{"text":"hey","volume":3}""", System.Text.Encoding.UTF8, "application/json"), ct);
        Assert.Equal("HEY!!!", (string)(await accepted.Content.ReadFromJsonAsync<JsonObject>(ct))!["text"]!);
        Assert.Equal("seen", accepted.Headers.GetValues("X-Shouter-Filter").Single());
    }

    [Fact]
    public async Task A_second_plugin_with_the_same_id_fails_and_the_first_keeps_serving()
    {
        using var admin = fixture.Host.AdminClient();
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", TestContext.Current.CancellationToken);
        var greeters = plugins!.OfType<JsonObject>().Where(p => (string)p["id"]! == "greeter").ToList();

        Assert.Equal(2, greeters.Count);
        Assert.Equal("active", (string)greeters[0]["state"]!);
        Assert.Equal("failed", (string)greeters[1]["state"]!);
        Assert.Contains("duplicate plugin id 'greeter'", (string)greeters[1]["reason"]!);
    }

    [Fact]
    public async Task A_good_plugin_serves_under_its_mount_with_its_own_configuration()
    {
        var body = await Client.GetFromJsonAsync<JsonObject>("/greeter/hello/dear_reader", TestContext.Current.CancellationToken);

        Assert.Equal("Howdy, Dear Reader", (string)body!["message"]!);
    }

    [Fact]
    public async Task A_plugin_gets_its_own_data_directory_named_by_its_id()
    {
        var greeter = await Client.GetFromJsonAsync<JsonObject>("/greeter/folder", TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(fixture.DataDirectory, "greeter"), (string)greeter!["path"]!);
        Assert.True((bool)greeter["exists"]!);
        Assert.True(Directory.Exists(Path.Combine(fixture.DataDirectory, "shouter")));
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, "sleepy"))); // disabled: never registered
    }

    [Fact]
    public async Task Two_plugins_use_different_versions_of_the_same_private_dependency()
    {
        var greeter = await Client.GetFromJsonAsync<JsonObject>("/greeter/hello/x", TestContext.Current.CancellationToken);
        var shouter = await Client.GetFromJsonAsync<JsonObject>("/shouter/shout/quiet_please", TestContext.Current.CancellationToken);

        Assert.Equal("2.14.0.0", (string)greeter!["humanizer"]!);
        Assert.Equal("3.0.0.0", (string)shouter!["humanizer"]!);
        Assert.Equal("QUIET PLEASE", (string)shouter["text"]!);
    }

    [Fact]
    public async Task A_plugin_on_its_own_listener_serves_there_with_an_empty_prefix()
    {
        using var dedicated = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.DedicatedPort}") };

        var body = await dedicated.GetFromJsonAsync<JsonObject>("/shout/on_my_port", TestContext.Current.CancellationToken);
        using var onMain = await Client.GetAsync("/shout/on_my_port", TestContext.Current.CancellationToken);

        Assert.Equal("ON MY PORT", (string)body!["text"]!);
        Assert.Equal(HttpStatusCode.NotFound, onMain.StatusCode);
        Assert.Equal($"http://127.0.0.1:{fixture.DedicatedPort}", (string)(await PluginAsync("porter"))["mount"]!);
    }

    [Fact]
    public async Task A_plugin_with_several_mounts_serves_each_mounts_paths_on_it_and_nothing_else()
    {
        using var shoutPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.ShoutPort}") };
        using var whisperPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.WhisperPort}") };
        var ct = TestContext.Current.CancellationToken;

        var shout = await shoutPort.GetFromJsonAsync<JsonObject>("/shout/hey", ct);
        var whisper = await whisperPort.GetFromJsonAsync<JsonObject>("/whisper/HEY", ct);
        var prefixed = await Client.GetFromJsonAsync<JsonObject>("/multi/whisper/HO", ct);
        using var shoutOnWhisperPort = await whisperPort.GetAsync("/shout/hey", ct);
        using var whisperOnShoutPort = await shoutPort.GetAsync("/whisper/hey", ct);
        using var unprefixedOnMain = await Client.GetAsync("/shout/hey", ct);
        using var hostRouteOnShoutPort = await shoutPort.GetAsync("/healthz", ct);
        using var otherPluginOnShoutPort = await shoutPort.GetAsync("/shouter/shout/hey", ct);

        Assert.Equal("HEY", (string)shout!["text"]!);
        Assert.Equal("hey", (string)whisper!["text"]!);
        Assert.Equal("soft", (string)whisper["voice"]!); // registered by the plugin's Autofac module
        Assert.Equal("ho", (string)prefixed!["text"]!);
        Assert.Equal(HttpStatusCode.NotFound, shoutOnWhisperPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, whisperOnShoutPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unprefixedOnMain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hostRouteOnShoutPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherPluginOnShoutPort.StatusCode);
        Assert.Equal($"/multi, http://127.0.0.1:{fixture.ShoutPort} (/shout), http://127.0.0.1:{fixture.WhisperPort} (/whisper), " +
            $"http://127.0.0.1:{fixture.SeedPort} [seed], /multi-seed [seed]", (string)(await PluginAsync("multi"))["mount"]!);
    }

    [Fact]
    public async Task Each_mount_serves_its_profile_and_profile_limited_routes_only_there()
    {
        using var seedPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.SeedPort}") };
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal("native", (string)(await Client.GetFromJsonAsync<JsonObject>("/multi/profile", ct))!["profile"]!);
        Assert.Equal("seed", (string)(await seedPort.GetFromJsonAsync<JsonObject>("/profile", ct))!["profile"]!);
        Assert.Equal("seed", (string)(await Client.GetFromJsonAsync<JsonObject>("/multi-seed/profile", ct))!["profile"]!);
        Assert.True((bool)(await seedPort.GetFromJsonAsync<JsonObject>("/legacy", ct))!["legacy"]!);
        Assert.True((bool)(await Client.GetFromJsonAsync<JsonObject>("/multi-seed/legacy", ct))!["legacy"]!);
        using var legacyOnNative = await Client.GetAsync("/multi/legacy", ct);
        Assert.Equal(HttpStatusCode.NotFound, legacyOnNative.StatusCode);
        Assert.Equal("HEY", (string)(await seedPort.GetFromJsonAsync<JsonObject>("/shout/hey", ct))!["text"]!); // the other routes too
    }

    [Fact]
    public async Task A_mount_asking_for_a_profile_the_plugin_does_not_provide_fails_the_plugin_naming_it()
    {
        var plugin = await PluginAsync("noseed");

        Assert.Equal("failed", (string)plugin["state"]!);
        Assert.Equal("mount '/noseed [seed]' asks for profile 'seed', which plugin 'noseed' does not provide (it provides: native)", (string)plugin["reason"]!);
        using var response = await Client.GetAsync("/noseed/hello/x", TestContext.Current.CancellationToken);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "application/json", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("POST", "application/json", HttpStatusCode.OK)]
    public async Task A_dedicated_listener_answers_a_wrong_method_or_content_type_as_a_prefix_mount_does(string method, string contentType, HttpStatusCode expected)
    {
        var ct = TestContext.Current.CancellationToken;
        using var shoutPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.ShoutPort}") };
        using var dedicated = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.DedicatedPort}") };
        async Task<HttpStatusCode> SendAsync(HttpClient client, string path)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{\"text\":\"hey\"}", System.Text.Encoding.UTF8, contentType) };
            using var response = await client.SendAsync(request, ct);
            return response.StatusCode;
        }

        Assert.Equal(expected, await SendAsync(Client, "/multi/shout"));
        Assert.Equal(expected, await SendAsync(Client, "/shouter/shout"));
        Assert.Equal(expected, await SendAsync(shoutPort, "/shout"));
        Assert.Equal(expected, await SendAsync(dedicated, "/shout"));
        // a path the listener does not serve stays a 404 whatever the method
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(shoutPort, "/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(shoutPort, "/whisper/hey"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(dedicated, "/api/v1/auth/login"));
    }

    [Fact]
    public async Task An_exception_in_a_handler_is_a_problem_500_for_that_request_only()
    {
        using var response = await Client.GetAsync("/greeter/boom", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var next = await Client.GetAsync("/greeter/hello/again", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(500, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("secret detail", body);
        Assert.DoesNotContain("GreeterModule", body);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public void Startup_logs_one_line_per_plugin_with_state_and_load_time()
    {
        var lines = fixture.Host.Output.Split('\n').Where(l => l.Contains("Plugin ") && l.Contains(" ms at ")).ToList();

        Assert.Contains(lines, l => l.Contains("Plugin greeter 1.2.0: Mapped in"));
        Assert.Contains(lines, l => l.Contains("Plugin future 1.2.0: Incompatible in"));
        Assert.Equal(17, lines.Count); // one per plugin folder
    }
}
