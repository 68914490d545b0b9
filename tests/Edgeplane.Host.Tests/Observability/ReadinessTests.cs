using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Observability;

public sealed class ReadinessTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failed_plugin_and_an_unhealthy_plugin_check_make_readyz_503_naming_both()
    {
        using var response = await fixture.Host.Client.GetAsync("/readyz", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal("unhealthy", (string)body["status"]!);
        var notReady = body["notReady"]!.AsArray().Select(c => (string)c!["name"]!).Order().ToList();
        Assert.Equal(["metered-backend", "plugins"], notReady);
        var plugins = body["notReady"]!.AsArray().First(c => (string)c!["name"]! == "plugins")!;
        Assert.StartsWith("Failed: registration failed", (string)plugins["data"]!["throwing"]!);
        Assert.Null(plugins["data"]!["greeter"]);
        Assert.Contains("configured so", (string)body["notReady"]!.AsArray().First(c => (string)c!["name"]! == "metered-backend")!["description"]!);
    }

    [Fact]
    public async Task Healthz_still_answers_while_not_ready()
    {
        using var response = await fixture.Host.Client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task With_every_enabled_plugin_active_and_every_check_healthy_readyz_is_200()
    {
        using var dir = new TempDirectory();
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin("Greeter"), dir.Combine("plugins", "greeter"));
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin("Metered"), dir.Combine("plugins", "metered"));
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin("Throwing"), dir.Combine("plugins", "throwing"));
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Edgeplane__Plugins__Directories"] = dir.Combine("plugins"),
            ["Edgeplane__DataDirectory"] = dir.Combine("data"),
            ["Edgeplane__Plugins__throwing__Enabled"] = "false", // disabled is not "not ready"
        });

        using var response = await host.Client.GetAsync("/readyz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal("healthy", (string)body["status"]!);
        Assert.Empty(body["notReady"]!.AsArray());
        Assert.Contains(body["checks"]!.AsArray(), c => (string)c!["name"]! == "metered-backend" && (string)c["status"]! == "healthy");
        Assert.Contains(body["checks"]!.AsArray(), c => (string)c!["name"]! == "plugins" && (string)c["status"]! == "healthy");
        Assert.Contains(body["checks"]!.AsArray(), c => (string)c!["name"]! == "database" && (string)c["status"]! == "healthy");
    }
}
