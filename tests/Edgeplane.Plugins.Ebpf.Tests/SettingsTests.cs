using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The plugin's settings are checked when the host starts: a bad one fails the plugin, naming the key, and the host serves on.</summary>
public sealed class SettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_settings_fail_the_plugin_naming_each_key_and_the_host_serves_the_rest()
    {
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Ebpf"],
            Environment = new()
            {
                ["Edgeplane__Plugins__ebpf__ReportIntervalSeconds"] = "0",
                ["Edgeplane__Plugins__ebpf__StaleAfterSeconds"] = "120",
                ["Edgeplane__Plugins__ebpf__OfflineAfterSeconds"] = "60",
            },
        });
        using var admin = host.AdminClient();

        using (var health = await host.Client.GetAsync("/healthz", Ct))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct);
        var ebpf = plugins!.OfType<JsonObject>().Single(p => (string)p["id"]! == "ebpf");
        Assert.Equal("failed", (string)ebpf["state"]!);
        var reason = (string)ebpf["reason"]!;
        Assert.Contains("Edgeplane:Plugins:ebpf:ReportIntervalSeconds", reason);
        Assert.Contains("Edgeplane:Plugins:ebpf:OfflineAfterSeconds", reason);
        using var teams = await admin.GetAsync("/ebpf/api/v1/teams/any/nodes", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, teams.StatusCode);
    }
}
