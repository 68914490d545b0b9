using System.Net;
using System.Text;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// The persisted view on real SQLite and PostgreSQL: a restart serves the snapshot before reading any zone
/// from the database, then applies the feed from the snapshot's position; a corrupt snapshot, or one that
/// belongs to another database, is detected and every zone is loaded from the database instead.
/// </summary>
public sealed class SnapshotTests(Postgres postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Restart_serves_the_snapshot_then_catches_up_and_a_bad_one_is_rebuilt(string provider)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        var port = FreePort.Next();
        var options = ChangeFeedTests.Options(database, port, "ep_test_" + Guid.NewGuid().ToString("N")) with { DataDirectory = data.Path };
        var snapshot = Path.Combine(data.Path, "dns", "snapshot");
        var file = Path.Combine(snapshot, "view.snapshot");

        await using (var first = await HostProcess.StartAsync(options))
        {
            using var api = ChangeFeedTests.Api(first);
            foreach (var zone in new[] { "kept.example", "moved.example" })
            {
                await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
                await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
            }
            await DnsServerTests.WaitForAsync(async () => Holds(await ReadAsync(file), "moved.example"));
            await first.StopAsync();
        }
        // The whole view in one file: one sequential read at start.
        Assert.Equal([file], Directory.GetFiles(snapshot));

        // While the host is down: every record changes behind the feed's back, and the feed names moved.example only.
        await database.QueryAsync("UPDATE dns_records SET value = '192.0.2.99'");
        await database.QueryAsync("UPDATE dns_state SET generation = generation + 1 WHERE id = 1");
        await database.QueryAsync("INSERT INTO dns_changes (position, zone_id, zone_name, kind, old_serial, serial, removed, added, created_at) " +
            "SELECT generation, (SELECT id FROM dns_zones WHERE name = 'moved.example'), 'moved.example', 'records', 2, 2, '[]', '[]', CURRENT_TIMESTAMP FROM dns_state WHERE id = 1");

        await using (var second = await HostProcess.StartAsync(options))
        {
            // kept.example comes from the snapshot (a load of everything would serve .99); moved.example from the feed.
            await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, "www.moved.example", "192.0.2.99"), 3000);
            Assert.True(await Udp.HasAsync(port, "www.kept.example", "192.0.2.1"), "kept.example served from the snapshot\n" + second.Output);
            await second.StopAsync();
        }

        // A corrupt snapshot (one byte of kept.example's name changed, checksum kept): detected, every zone loaded from the database.
        var bytes = await File.ReadAllBytesAsync(file);
        var at = bytes.AsSpan().IndexOf("kept.example"u8);
        Assert.True(at > 0);
        bytes[at] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);
        await using (var third = await HostProcess.StartAsync(options))
        {
            await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, "www.kept.example", "192.0.2.99"), 3000); // the corrupt snapshot replaced by the database's zones
            await DnsServerTests.WaitForAsync(async () => !(await ReadAsync(file)).SequenceEqual(bytes)); // written out again
            Assert.Contains("not used", third.Output);
            await third.StopAsync();
        }

        // A stale snapshot: the host now uses another database (a restore, a fresh install). Its feed does not hold
        // the snapshot's position, so the snapshot's zones are dropped for the database's (none).
        using var otherDir = new TempDirectory();
        var other = await TestSql.CreateAsync(provider, postgres, otherDir);
        await using (var fourth = await HostProcess.StartAsync(ChangeFeedTests.Options(other, port, "ep_test_" + Guid.NewGuid().ToString("N")) with { DataDirectory = data.Path }))
        {
            await DnsServerTests.WaitForAsync(async () => (await Udp.AskAsync(port, "www.kept.example", 1))?.Rcode == 5, 3000);
            await DnsServerTests.WaitForAsync(async () => !Holds(await ReadAsync(file), "kept.example"));
        }
    }

    [Fact]
    public async Task A_restart_answers_from_the_snapshot_before_the_host_has_started_its_web_server()
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        var database = await TestSql.CreateAsync("sqlite", postgres, dir);
        var port = FreePort.Next();
        var options = ChangeFeedTests.Options(database, port, "ep_test_" + Guid.NewGuid().ToString("N")) with { DataDirectory = data.Path };
        var file = Path.Combine(data.Path, "dns", "snapshot", "view.snapshot");
        await using (var first = await HostProcess.StartAsync(options))
        {
            using var api = ChangeFeedTests.Api(first);
            await api.PostJsonAsync("zones/add", new { zone = "early.example" }, HttpStatusCode.Created);
            await api.PostJsonAsync("zone/early.example/add", new { label = "www", type = "A", value = "192.0.2.7" }, HttpStatusCode.Created);
            await DnsServerTests.WaitForAsync(async () => Holds(await ReadAsync(file), "early.example"));
            await first.StopAsync();
        }

        await using var second = await HostProcess.StartAsync(options with { WaitUntilServing = false });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await Udp.HasAsync(port, "www.early.example", "192.0.2.7"))
        {
            Assert.True(DateTime.UtcNow < deadline, "never answered\n" + second.Output);
            await Task.Delay(5);
        }
        // Answered: the web server, which starts after the host's container, migrations and routes, does not listen yet.
        using var web = new System.Net.Sockets.TcpClient();
        var refused = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => web.ConnectAsync(IPAddress.Loopback, second.Port));
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, refused.SocketErrorCode);
        await second.WaitUntilServingAsync();
        Assert.True(await Udp.HasAsync(port, "www.early.example", "192.0.2.7"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Restart_keeps_the_ixfr_journal_so_secondaries_get_incremental_transfers(string provider)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        var port = FreePort.Next();
        var options = ChangeFeedTests.Options(database, port, "ep_test_" + Guid.NewGuid().ToString("N")) with { DataDirectory = data.Path };
        const string zone = "journal.example";
        await using (var first = await HostProcess.StartAsync(options))
        {
            using var api = ChangeFeedTests.Api(first);
            await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);                                                  // serial 1
            await api.PostJsonAsync($"zone/{zone}/add", new { label = "a", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created); // 2
            await api.PostJsonAsync($"zone/{zone}/add", new { label = "b", type = "TXT", value = "two" }, HttpStatusCode.Created);     // 3
            await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, "a." + zone, "192.0.2.1"));
            await first.StopAsync();
        }

        await using var second = await HostProcess.StartAsync(options);
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, "a." + zone, "192.0.2.1"));
        // A secondary holding serial 2 gets the one change since, not the whole zone (RFC 1995 §4).
        var transfer = (await Dig.DigAsync(port, "+noall", "+answer", zone, "IXFR=2"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(f => f[3] == "SOA" ? "SOA " + f[6] : $"{f[0]} {f[3]} {string.Join(' ', f[4..])}")
            .ToList();
        Assert.Equal(["SOA 3", "SOA 2", "SOA 3", $"b.{zone}. TXT \"two\"", "SOA 3"], transfer);
    }

    private static async Task<byte[]> ReadAsync(string file) => File.Exists(file) ? await File.ReadAllBytesAsync(file) : [];

    private static bool Holds(byte[] snapshot, string zone) => snapshot.AsSpan().IndexOf(Encoding.ASCII.GetBytes(zone)) >= 0;
}
