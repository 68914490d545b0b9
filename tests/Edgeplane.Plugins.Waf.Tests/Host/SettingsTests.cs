using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>
/// The plugin's settings are checked when the host starts: bad ones fail the WAF plugin alone, naming each key, and the host
/// and the other plugins serve on.
/// </summary>
public sealed class SettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_settings_fail_only_the_waf_plugin_naming_each_key()
    {
        await using var host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Waf", "Edgeplane.Plugins.Ebpf"],
            Environment = new()
            {
                ["Edgeplane__Plugins__waf__ParanoiaLevel"] = "9",
                ["Edgeplane__Plugins__waf__Role"] = "leader",
                ["Edgeplane__Plugins__waf__SyncIntervalSeconds"] = "0",
                ["Edgeplane__Plugins__waf__Proxy__OversizeBody"] = "drop",
                ["Edgeplane__Plugins__waf__Proxy__Listen"] = "http://localhost:8080",
                ["Edgeplane__Plugins__waf__Proxy__Upstream"] = "ftp://127.0.0.1:21",
            },
        });
        using var admin = host.AdminClient();

        using (var health = await host.Client.GetAsync("/healthz", Ct))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var plugins = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct))!.OfType<JsonObject>().ToList();
        var waf = plugins.Single(p => (string)p["id"]! == "waf");
        Assert.Equal("failed", (string)waf["state"]!);
        var reason = (string)waf["reason"]!;
        foreach (var key in new[] { "ParanoiaLevel", "Role", "SyncIntervalSeconds", "Proxy:OversizeBody", "Proxy:Listen", "Proxy:Upstream" })
            Assert.Contains($"Edgeplane:Plugins:waf:{key}", reason);
        Assert.Equal("active", (string)plugins.Single(p => (string)p["id"]! == "ebpf")["state"]!);
        using var status = await admin.GetAsync("/waf/api/v1/status", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
    }
}
