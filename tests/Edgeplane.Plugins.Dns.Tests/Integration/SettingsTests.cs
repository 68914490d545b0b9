using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>The plugin's settings are checked when the host starts: a bad one fails the DNS plugin alone, naming the key, and the host serves on.</summary>
public sealed class SettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_settings_fail_only_the_dns_plugin_naming_each_key()
    {
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Dns", "Edgeplane.Plugins.Ebpf"],
            Environment = new()
            {
                ["Edgeplane__Plugins__dns__Listen"] = "127.0.0.1:" + FreePort.Next(),
                ["Edgeplane__Plugins__dns__UdpWorkers"] = "0",
                ["Edgeplane__Plugins__dns__TransferAllowed"] = "127.0.0.300",
                ["Edgeplane__Plugins__dns__Notify"] = "secondary.example",
                ["Edgeplane__Plugins__dns__MaxBulkChanges"] = "0",
            },
        });
        using var admin = host.AdminClient();

        using (var health = await host.Client.GetAsync("/healthz", Ct))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var plugins = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct))!.OfType<JsonObject>().ToList();
        var dns = plugins.Single(p => (string)p["id"]! == "dns");
        Assert.Equal("failed", (string)dns["state"]!);
        var reason = (string)dns["reason"]!;
        Assert.Contains("Edgeplane:Plugins:dns:UdpWorkers", reason);
        Assert.Contains("Edgeplane:Plugins:dns:TransferAllowed: '127.0.0.300'", reason);
        Assert.Contains("Edgeplane:Plugins:dns:Notify: 'secondary.example'", reason);
        Assert.Contains("Edgeplane:Plugins:dns:MaxBulkChanges", reason);
        Assert.DoesNotContain("Listen", reason);
        Assert.Equal("active", (string)plugins.Single(p => (string)p["id"]! == "ebpf")["state"]!);
        using var zones = await admin.GetAsync("/dns/api/zones/list", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, zones.StatusCode);
    }
}
