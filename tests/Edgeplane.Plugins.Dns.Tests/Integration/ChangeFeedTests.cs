using System.Diagnostics;
using System.Net;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// The change feed on real SQLite and PostgreSQL: every write appends one row to <c>dns_changes</c> in
/// its own transaction (positions increasing, serials moving), and the host applies a change by
/// rebuilding only the zone it names, at once after the API's answer (polling is switched off here).
/// </summary>
public sealed class ChangeFeedTests(Postgres postgres)
{
    internal static HostOptions Options(TestSql database, int dnsPort, string adminKey) => new()
    {
        Plugins = ["Edgeplane.Plugins.Dns"],
        Environment = new(database.Settings)
        {
            ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{dnsPort}",
            ["Edgeplane__Plugins__dns__NameServers"] = "ns1.example.net",
            ["Edgeplane__Plugins__dns__TransferAllowed"] = "127.0.0.1",
            // No polling: only this host's own changes and PostgreSQL's notifications wake the view.
            ["Edgeplane__Plugins__dns__RefreshIntervalMs"] = "600000",
            ["Edgeplane__Bootstrap__AdminApiKey"] = adminKey,
        },
    };

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_change_rebuilds_only_the_zone_it_names(string provider)
    {
        using var dir = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        var port = FreePort.Next();
        await using var host = await HostProcess.StartAsync(Options(database, port, "ep_test_" + Guid.NewGuid().ToString("N")));
        using var api = Api(host);

        foreach (var zone in new[] { "a.example", "b.example" })
        {
            await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
            await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        }
        await DnsServerTests.WaitForAsync(async () => await Udp.HasAsync(port, "www.a.example", "192.0.2.1") && await Udp.HasAsync(port, "www.b.example", "192.0.2.1"));

        // Rows changed behind the feed's back (no change row): a reload of everything would serve them in
        // both zones; applying b's next change rebuilds b alone.
        await database.QueryAsync("UPDATE dns_records SET value = '192.0.2.99' WHERE value = '192.0.2.1'");
        var watch = Stopwatch.StartNew();
        await api.PostJsonAsync("zone/b.example/add", new { label = "new", type = "A", value = "192.0.2.2" }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, "new.b.example", "192.0.2.2"), 3000);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"{watch.ElapsedMilliseconds} ms from the API call to the answer");
        Assert.True(await Udp.HasAsync(port, "www.b.example", "192.0.2.99"), "b was rebuilt from its rows");
        Assert.True(await Udp.HasAsync(port, "www.a.example", "192.0.2.1"), "a was not read again");

        await api.PostJsonAsync("zone/b.example/delete_record/1", null, HttpStatusCode.OK);
        await api.PostJsonAsync("zone/a.example/delete", null, HttpStatusCode.OK);
        await DnsServerTests.WaitForAsync(async () => (await Udp.AskAsync(port, "www.a.example", 1))?.Rcode == 5, 3000);
        await DnsServerTests.WaitForAsync(() => Udp.IsNxDomainAsync(port, "www.b.example"), 3000);

        // The feed: one row per write, in order, with the serials and the records each change removed or added.
        var rows = await database.QueryAsync("SELECT position, zone_name, kind, old_serial, serial FROM dns_changes ORDER BY position");
        Assert.Equal(
            ["a.example zone 1 1", "a.example records 1 2", "b.example zone 1 1", "b.example records 1 2", "b.example records 2 3", "b.example records 3 4", "a.example deleted 2 2"],
            rows.Select(r => string.Join(" ", r.Split('|')[1..])));
        var positions = rows.Select(r => long.Parse(r.Split('|')[0])).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        var deleted = Assert.Single(await database.QueryAsync("SELECT removed FROM dns_changes WHERE zone_name = 'b.example' AND old_serial = 3"));
        Assert.Contains("\"value\":\"192.0.2.99\"", deleted);
        var added = Assert.Single(await database.QueryAsync("SELECT added FROM dns_changes WHERE zone_name = 'b.example' AND old_serial = 2"));
        Assert.Contains("\"name\":\"new\"", added);
    }

    /// <summary>
    /// Two hosts on one SQLite file (no notifications: a host learns of the other's changes only when its feed is
    /// read). The second prunes rows older than a second; the first, reading the feed next, finds the gap where
    /// rows it never applied were and loads every zone, instead of applying only the rows left.
    /// </summary>
    [Fact]
    public async Task A_host_behind_the_pruned_feed_loads_every_zone()
    {
        using var dir = new TempDirectory();
        await using var hosts = await StartTwoHostsAsync(dir, new()
        {
            ["Edgeplane__Plugins__dns__ChangeRetentionSeconds"] = "1",
            ["Edgeplane__Plugins__dns__SnapshotIntervalMs"] = "200",
        });
        var (database, a, portA) = (hosts.Database, hosts.A, hosts.PortA);
        using var apiA = Api(a);
        using var apiB = Api(hosts.B);

        await apiA.PostJsonAsync("zones/add", new { zone = "x.example" }, HttpStatusCode.Created);
        await apiA.PostJsonAsync("zone/x.example/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(portA, "www.x.example", "192.0.2.1"));

        // Through B: x.example changes, then z.example; B prunes every row older than a second.
        for (var i = 0; i < 5; i++)
            await apiB.PostJsonAsync("zone/x.example/add", new { label = "n" + i, type = "A", value = "192.0.2.1" + i }, HttpStatusCode.Created);
        await apiB.PostJsonAsync("zones/add", new { zone = "z.example" }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(async () => (await database.QueryAsync("SELECT COUNT(*) FROM dns_changes WHERE zone_name = 'x.example'")).Single() == "0", 10000);

        // A reads the feed (after its own change): the rows after its position are gone, so it loads everything.
        await apiA.PostJsonAsync("zone/z.example/add", new { label = "late", type = "A", value = "192.0.2.50" }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(portA, "late.z.example", "192.0.2.50"), 3000);
        Assert.True(await Udp.HasAsync(portA, "n4.x.example", "192.0.2.14"), "x.example's pruned changes are served after the full load\n" + a.Output);
    }

    /// <summary>
    /// A host following another's writes (it reads each changed zone from the database) while they go on: a zone read
    /// after the feed rows it was read for may already hold a later write. Served that way, the zone's SOA would be
    /// ahead of its journal, and a secondary asking IXFR from a serial the journal holds would get the whole zone.
    /// Every IXFR from a serial this host served must be answered incrementally.
    /// </summary>
    [Fact]
    public async Task A_follower_answers_ixfr_incrementally_while_another_host_writes()
    {
        using var dir = new TempDirectory();
        await using var hosts = await StartTwoHostsAsync(dir, new()
        {
            ["Edgeplane__Plugins__dns__RefreshIntervalMs"] = "300",
            ["Edgeplane__Plugins__dns__IxfrJournal"] = "100000",
        });
        var (b, portB) = (hosts.B, hosts.PortB);
        using var apiA = Api(hosts.A);
        const string zone = "follow.example";
        await apiA.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(portB, zone, "SOA")).Count == 1, 5000);

        using var writing = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !writing.IsCancellationRequested; i++)
                await apiA.PostJsonAsync($"zone/{zone}/add", new { label = $"w{w}-{i}", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        })).ToList();
        var answers = new List<string>();
        long held = 1;
        while (!writing.IsCancellationRequested)
        {
            var transfer = IxfrTestsBase.Transfer(await Dig.DigAsync(portB, "+noall", "+answer", zone, $"IXFR={held}"));
            var serial = long.Parse(transfer[0]["SOA ".Length..]);
            // Incremental: the new SOA, then the held one opening the first change; up to date: the SOA alone.
            if (serial != held && transfer[1] != $"SOA {held}") answers.Add($"IXFR={held} at serial {serial}: {string.Join(", ", transfer.Take(3))}");
            held = serial;
        }
        await Task.WhenAll(writers);
        Assert.True(held > 20, $"the follower served serial {held} only");
        Assert.True(answers.Count == 0, $"{answers.Count} full transfers:\n{string.Join('\n', answers)}\n{b.Output}");
    }

    /// <summary>The DNS API of <paramref name="host"/> with its admin key.</summary>
    internal static HttpClient Api(HostProcess host)
    {
        var api = new HttpClient { BaseAddress = new Uri(host.BaseAddress, "/dns/api/") };
        api.DefaultRequestHeaders.Add("X-API-Key", host.AdminKey);
        return api;
    }

    /// <summary>Two hosts on one SQLite file with one admin key; <c>PortA</c> and <c>PortB</c> are their DNS ports.</summary>
    private sealed record TwoHosts(TestSql Database, HostProcess A, int PortA, HostProcess B, int PortB) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>Starts <see cref="TwoHosts"/> on a database in <paramref name="dir"/>; the second host takes <paramref name="settingsB"/> on top of <see cref="Options"/>.</summary>
    private async Task<TwoHosts> StartTwoHostsAsync(TempDirectory dir, Dictionary<string, string> settingsB)
    {
        var database = await TestSql.CreateAsync("sqlite", postgres, dir);
        var (portA, portB) = (FreePort.Next(), FreePort.Next());
        var key = "ep_test_" + Guid.NewGuid().ToString("N");
        var a = await HostProcess.StartAsync(Options(database, portA, key));
        try
        {
            var optionsB = Options(database, portB, key);
            foreach (var (name, value) in settingsB) optionsB.Environment[name] = value;
            return new TwoHosts(database, a, portA, await HostProcess.StartAsync(optionsB), portB);
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }
}
