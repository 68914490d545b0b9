using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>The plugin's settings are checked when the host starts: a bad one fails the plugin, naming the key, and the host serves on.</summary>
public sealed class SettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_settings_fail_the_plugin_naming_each_key_and_the_host_serves_the_rest()
    {
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Rollouts"],
            Environment = new()
            {
                ["Edgeplane__Plugins__rollouts__DeviceApi__Address"] = "nope",
                ["Edgeplane__Plugins__rollouts__MaxLogBytes"] = "0",
                ["Edgeplane__Plugins__rollouts__Tuf__RootThreshold"] = "3",
                ["Edgeplane__Plugins__rollouts__Deployments__WebhookUrl"] = "hooks/rollouts",
            },
        });
        using var admin = host.AdminClient();

        using (var health = await host.Client.GetAsync("/healthz", Ct))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct);
        var rollouts = plugins!.OfType<JsonObject>().Single(p => (string)p["id"]! == "rollouts");
        Assert.Equal("failed", (string)rollouts["state"]!);
        var reason = (string)rollouts["reason"]!;
        Assert.Contains("Edgeplane:Plugins:rollouts:DeviceApi:Address", reason);
        Assert.Contains("Edgeplane:Plugins:rollouts:MaxLogBytes", reason);
        Assert.Contains("Edgeplane:Plugins:rollouts:Tuf:RootThreshold", reason);
        Assert.Contains("Edgeplane:Plugins:rollouts:Deployments:WebhookUrl", reason);
        using var devices = await admin.GetAsync("/rollouts/api/v1/devices", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, devices.StatusCode);
        using var teams = await admin.GetAsync("/api/v1/teams", Ct);
        Assert.Equal(HttpStatusCode.OK, teams.StatusCode);
    }
}
