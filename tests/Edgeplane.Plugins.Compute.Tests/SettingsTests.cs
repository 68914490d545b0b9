using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Compute.Tests;

/// <summary>The plugin's settings are checked when the host starts: a bad one fails the plugin, naming the key, and the host serves on.</summary>
public sealed class SettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_settings_fail_the_plugin_naming_each_key_and_the_host_serves_the_rest()
    {
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Compute"],
            Environment = new()
            {
                ["Edgeplane__Plugins__compute__PortRange"] = "30000-20000",
                ["Edgeplane__Plugins__compute__Quota__MaxMemory"] = "lots",
                ["Edgeplane__Plugins__compute__DeployConcurrency"] = "0",
            },
        });
        using var admin = host.AdminClient();

        using (var health = await host.Client.GetAsync("/healthz", Ct))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct);
        var compute = plugins!.OfType<JsonObject>().Single(p => (string)p["id"]! == "compute");
        Assert.Equal("failed", (string)compute["state"]!);
        var reason = (string)compute["reason"]!;
        Assert.Contains("Edgeplane:Plugins:compute:PortRange", reason);
        Assert.Contains("Edgeplane:Plugins:compute:Quota:MaxMemory", reason);
        Assert.Contains("Edgeplane:Plugins:compute:DeployConcurrency", reason);
        using var instances = await admin.GetAsync("/compute/api/instances", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, instances.StatusCode);
    }
}
