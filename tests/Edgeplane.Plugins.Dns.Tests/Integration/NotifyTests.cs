using System.Net;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// NOTIFY (RFC 1996) announces a serial only once the notifying host's DNS server answers with it: a secondary
/// that asks for the SOA at once and finds the old serial ignores the NOTIFY, and if the serial were then counted
/// as announced it would wait for its refresh timer (an hour) to see the change.
/// </summary>
public sealed class NotifyTests
{
    [Fact]
    public async Task A_change_made_through_another_host_reaches_the_secondary_once_this_host_serves_it()
    {
        using var dir = new TempDirectory();
        var nsdPort = FreePort.Next();
        var dnsPort = FreePort.Next();
        var database = new Dictionary<string, string?>
        {
            ["Edgeplane__Database__Provider"] = "sqlite",
            ["Edgeplane__Database__ConnectionString"] = $"Data Source={dir.Combine("shared.db")}",
            ["Edgeplane__Plugins__dns__NameServers"] = "ns1.example.net",
        };
        // The primary NSD transfers from: it sends the NOTIFYs and only reads the feed when asked (no polling).
        await using var primary = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Dns"],
            Environment = new(database)
            {
                ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{dnsPort}",
                ["Edgeplane__Plugins__dns__Notify"] = $"127.0.0.1:{nsdPort}",
                ["Edgeplane__Plugins__dns__TransferAllowed"] = "127.0.0.1",
                ["Edgeplane__Plugins__dns__RefreshIntervalMs"] = "600000",
            },
        });
        using var api = new HttpClient { BaseAddress = new Uri(primary.BaseAddress, "/dns/api/") };
        api.DefaultRequestHeaders.Add("X-API-Key", primary.AdminKey);
        var zone = "notify" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(dnsPort, "www." + zone, "192.0.2.1"));

        await using var nsd = await Nsd.StartAsync(dir, nsdPort, (zone, [$"zonefile: \"{dir.Combine(zone + ".zone")}\"", $"request-xfr: 127.0.0.1@{dnsPort} NOKEY", "allow-notify: 127.0.0.1 NOKEY"]));
        await nsd.WaitForAsync(() => Udp.HasAsync(nsdPort, "www." + zone, "192.0.2.1"));

        // A second host on the same database makes a change the primary's server does not serve yet.
        await using var other = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Dns"],
            Environment = new(database) { ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{FreePort.Next()}" },
        });
        using var otherApi = new HttpClient { BaseAddress = new Uri(other.BaseAddress, "/dns/api/") };
        otherApi.DefaultRequestHeaders.Add("X-API-Key", primary.AdminKey);
        await otherApi.PostJsonAsync($"zone/{zone}/add", new { label = "late", type = "A", value = "192.0.2.2" }, HttpStatusCode.Created);
        await Task.Delay(TimeSpan.FromSeconds(3)); // several runs of the notify job
        Assert.False(await Udp.HasAsync(dnsPort, "late." + zone, "192.0.2.2"), "the primary's view was expected to lag");

        // The primary catches up; the secondary hears of it and transfers, without waiting an hour.
        using (var refresh = await api.GetAsync("debug/refresh_zones")) refresh.EnsureSuccessStatusCode();
        await nsd.WaitForAsync(() => Udp.HasAsync(nsdPort, "late." + zone, "192.0.2.2"), 10000);
    }
}
