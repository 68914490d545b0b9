using System.Net;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// A real secondary (NSD, from Debian, on 127.0.0.1) registered as a DNS node: it transfers the zone
/// from the server, gets NOTIFY from the plugin's queue after an API change, and answers the same;
/// the debug health check sees it in sync. Also the other debug routes.
/// </summary>
public sealed class SecondaryTests(DnsHostFixture fixture) : SecondaryTestsBase(fixture), IClassFixture<DnsHostFixture>;

/// <summary>The same tests with the host on PostgreSQL.</summary>
public sealed class SecondaryTestsOnPostgres(PostgresDnsHostFixture fixture) : SecondaryTestsBase(fixture), IClassFixture<PostgresDnsHostFixture>;

public abstract class SecondaryTestsBase(DnsHostFixture fixture)
{
    [Fact]
    public async Task Nsd_secondary_follows_the_zone_through_notify()
    {
        if (!File.Exists("/usr/sbin/nsd")) Assert.Skip("nsd is not installed (Debian nsd)");
        var (api, _, _) = await fixture.NewAccountAsync();
        using var admin = fixture.Api(fixture.Host.AdminKey);
        var zone = "sec" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.80" }, HttpStatusCode.Created);
        // NSD asks for the zone as it starts: the primary serves it first (an early refusal would put NSD into its retry back-off).
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, "www." + zone, "A")).Contains("192.0.2.80"));

        using var dir = new TempDirectory();
        var nsdPort = FreePort.Next();
        var nsd = await StartNsdAsync(dir, nsdPort, zone);
        try
        {
            await admin.PostJsonAsync("nodes/add", new { name = "nsd-" + zone, address = "127.0.0.1", port = nsdPort, location = "Loopback" }, HttpStatusCode.Created);

            // The initial transfer (NSD's log in the message if it does not come).
            await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsdPort, "www." + zone, "A")).Contains("192.0.2.80"));

            // A change: NOTIFY from the plugin's queue, NSD transfers again and answers the new record.
            await api.PostJsonAsync($"zone/{zone}/add", new { label = "new", type = "TXT", value = "after notify" }, HttpStatusCode.Created);
            await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsdPort, "new." + zone, "TXT")).Contains("\"after notify\""));
            var primary = await Dig.ShortAsync(fixture.DnsPort, zone, "SOA");
            await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(nsdPort, zone, "SOA")).SequenceEqual(primary), 5000);

            // The secondary answers what the API holds.
            var axfrPrimary = await Dig.DigAsync(fixture.DnsPort, "+noall", "+answer", zone, "AXFR");
            Assert.Equal(await Dig.ShortAsync(fixture.DnsPort, "www." + zone, "A"), await Dig.ShortAsync(nsdPort, "www." + zone, "A"));
            Assert.Contains("after notify", axfrPrimary);

            // The health check sees the node in sync, and the queue is empty once acknowledged.
            await DnsServerTests.WaitForAsync(async () =>
            {
                var health = await admin.GetJsonAsync("debug/healthcheck");
                var node = health["nodes"]!.AsArray().First(n => (string)n!["node"]! == "nsd-" + zone)!;
                var check = node["zones"]!.AsArray().First(z => (string)z!["zone"]! == zone)!;
                return (string)check["status"]! == "ok" && (long)check["lag"]! == 0;
            }, 5000);
            await DnsServerTests.WaitForAsync(async () => (int)(await admin.GetJsonAsync("debug/queue_status"))["ready"]! == 0, 5000);
        }
        finally
        {
            await nsd.DisposeAsync();
        }

        // NSD is gone: a new change stays queued for it, the health check reports it, clear_queue empties the queue.
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "late", type = "A", value = "192.0.2.81" }, HttpStatusCode.Created);
        // (queued once this host's server answers with the new serial, a moment after the API's 201)
        await DnsServerTests.WaitForAsync(async () => (int)(await admin.GetJsonAsync("debug/queue_status"))["ready"]! >= 1);
        var unhealthy = await admin.GetJsonAsync("debug/healthcheck");
        Assert.False((bool)unhealthy["healthy"]!);
        Assert.True((int)(await admin.GetJsonAsync("debug/clear_queue"))["cleared"]! >= 1);
        Assert.Equal(0, (int)(await admin.GetJsonAsync("debug/queue_status"))["ready"]!);
        var nodes = await admin.GetJsonAsync("nodes/list");
        foreach (var n in nodes["nodes"]!.AsArray())
            await admin.PostJsonAsync("nodes/power", new { node = (string)n!["id"]!, state = false }, HttpStatusCode.OK);
    }

    /// <summary>NSD on 127.0.0.1:<paramref name="port"/>, secondary for <paramref name="zone"/> from the host's DNS server.</summary>
    private Task<Nsd> StartNsdAsync(TempDirectory dir, int port, string zone) =>
        Nsd.StartAsync(dir, port, (zone, [$"zonefile: \"{dir.Combine(zone + ".zone")}\"", $"request-xfr: AXFR 127.0.0.1@{fixture.DnsPort} NOKEY", "allow-notify: 127.0.0.1 NOKEY"]));

    [Fact]
    public async Task Serial_never_goes_back_when_a_zone_is_deleted_and_created_again()
    {
        if (!File.Exists("/usr/sbin/nsd")) Assert.Skip("nsd is not installed (Debian nsd)");
        var (first, _, _) = await fixture.NewAccountAsync();
        var (second, _, _) = await fixture.NewAccountAsync();
        using var admin = fixture.Api(fixture.Host.AdminKey);
        var zone = "reborn" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await first.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        foreach (var i in Enumerable.Range(1, 4))
            await first.PostJsonAsync($"zone/{zone}/add", new { label = "old" + i, type = "A", value = "192.0.2." + i }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, "old4." + zone, "A")).Contains("192.0.2.4"));

        using var dir = new TempDirectory();
        var nsdPort = FreePort.Next();
        var nsd = await StartNsdAsync(dir, nsdPort, zone);
        var node = await admin.PostJsonAsync("nodes/add", new { name = "nsd-" + zone, address = "127.0.0.1", port = nsdPort, location = "Loopback" }, HttpStatusCode.Created);
        try
        {
            await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsdPort, "old4." + zone, "A")).Contains("192.0.2.4"));
            var deletedSerial = (long)(await first.GetJsonAsync($"zone/{zone}/records"))["serial"]!;

            // Deleted, then taken by another account: its serial continues after the deleted zone's.
            await first.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
            var created = await second.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
            Assert.True(SerialIsNewer((long)created["serial"]!, deletedSerial), $"{created["serial"]} after {deletedSerial}");
            await second.PostJsonAsync($"zone/{zone}/add", new { label = "new", type = "A", value = "198.51.100.1" }, HttpStatusCode.Created);

            // The secondary drops the previous owner's records and serves the new zone, then follows an edit.
            await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsdPort, "new." + zone, "A")).Contains("198.51.100.1"));
            Assert.Contains("status: NXDOMAIN", await Dig.DigAsync(nsdPort, "+norec", "old4." + zone, "A"));
            await second.PostJsonAsync($"zone/{zone}/add", new { label = "edit", type = "TXT", value = "edited" }, HttpStatusCode.Created);
            await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsdPort, "edit." + zone, "TXT")).Contains("\"edited\""));
            Assert.Equal(await Dig.ShortAsync(fixture.DnsPort, zone, "SOA"), await Dig.ShortAsync(nsdPort, zone, "SOA"));
        }
        finally
        {
            await nsd.DisposeAsync();
            await admin.PostJsonAsync("nodes/power", new { node = (string)node["id"]!, state = false }, HttpStatusCode.OK);
            // Deleted, so that no other test's secondary is asked to follow it.
            (await second.PostAsync($"zone/{zone}/delete", null)).Dispose();
        }
    }

    /// <summary>RFC 1982 §3.2: whether serial <paramref name="a"/> is greater than <paramref name="b"/>.</summary>
    private static bool SerialIsNewer(long a, long b) => a != b && (uint)(a - b) < 0x80000000u;


    [Fact]
    public async Task Debug_refresh_and_monitoring_file()
    {
        using var admin = fixture.Api(fixture.Host.AdminKey);
        // A zone makes the generation move; it is deleted again so no secondary is asked to follow it.
        var (api, _, _) = await fixture.NewAccountAsync();
        var zone = "refresh" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
        var refreshed = await admin.GetJsonAsync("debug/refresh_zones");
        Assert.True((long)refreshed["generation"]! > 0);
        await admin.GetJsonAsync("debug/refresh_cache");
        var name = "mon-" + Guid.NewGuid().ToString("N")[..6];
        await admin.PostJsonAsync("nodes/add", new { name, address = "127.0.0.9", location = "Lab" }, HttpStatusCode.Created);
        var written = await admin.GetJsonAsync("debug/update_collector_monitoring");
        var file = (string)written["file"]!;
        var groups = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray();
        var group = groups.First(g => (string)g!["labels"]!["node"]! == name)!;
        Assert.Equal("127.0.0.9:9100", (string)group["targets"]![0]!);
        var node = (await admin.GetJsonAsync("nodes/list"))["nodes"]!.AsArray().First(n => (string)n!["name"]! == name)!;
        await admin.PostJsonAsync("nodes/power", new { node = (string)node["id"]!, state = false }, HttpStatusCode.OK);
        await admin.GetJsonAsync("debug/update_collector_monitoring");
        Assert.DoesNotContain(JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray(), g => (string)g!["labels"]!["node"]! == name);
    }
}
