using System.Diagnostics;
using System.Net;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// Two host instances on one PostgreSQL database, each with its own DNS listener: the plugin's
/// migrations run once on PostgreSQL, and a change made through one instance's API is answered by
/// the other instance's DNS server within a second (woken by LISTEN/NOTIFY, it applies the change feed).
/// </summary>
public sealed class MultiInstanceTests(Postgres postgres)
{
    [Fact]
    public async Task Change_through_one_instance_is_served_by_the_other()
    {
        using var dir = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync(dir.Path);
        var portA = FreePort.Next();
        var portB = FreePort.Next();
        var adminKey = "ep_test_" + Guid.NewGuid().ToString("N");
        HostOptions Options(int dnsPort) => new()
        {
            Plugins = ["Edgeplane.Plugins.Dns"],
            Environment = new()
            {
                ["Edgeplane__Database__Provider"] = database["Edgeplane__Database__Provider"],
                ["Edgeplane__Database__ConnectionString"] = database["Edgeplane__Database__ConnectionString"],
                ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{dnsPort}",
                ["Edgeplane__Plugins__dns__NameServers"] = "ns1.example.net",
                ["Edgeplane__Bootstrap__AdminApiKey"] = adminKey,
                // No polling: the other instance learns of a change only from PostgreSQL's NOTIFY on the change feed.
                ["Edgeplane__Plugins__dns__RefreshIntervalMs"] = "600000",
            },
        };
        // Both start together on the empty database: the migration lock makes one of them migrate.
        var startA = HostProcess.StartAsync(Options(portA));
        var startB = HostProcess.StartAsync(Options(portB));
        await Task.WhenAll(startA.ContinueWith(_ => { }), startB.ContinueWith(_ => { }));
        if (!startA.IsCompletedSuccessfully || !startB.IsCompletedSuccessfully)
        {
            foreach (var started in new[] { startA, startB }.Where(t => t.IsCompletedSuccessfully)) await (await started).DisposeAsync();
            await Task.WhenAll(startA, startB); // throws the start failure
        }
        await using var a = await startA;
        await using var b = await startB;

        using var apiA = new HttpClient { BaseAddress = new Uri(a.BaseAddress, "/dns/api/") };
        apiA.DefaultRequestHeaders.Add("X-API-Key", a.AdminKey);
        using var apiB = new HttpClient { BaseAddress = new Uri(b.BaseAddress, "/dns/api/") };
        apiB.DefaultRequestHeaders.Add("X-API-Key", a.AdminKey);

        await apiA.PostJsonAsync("zones/add", new { zone = "shared.example" }, HttpStatusCode.Created);
        await apiA.PostJsonAsync("zone/shared.example/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        var watch = Stopwatch.StartNew();
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(portB, "www.shared.example", "192.0.2.1"), 3000);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"{watch.ElapsedMilliseconds} ms");
        Assert.Contains("192.0.2.1", await Dig.ShortAsync(portB, "www.shared.example", "A"));

        // Through B: delete it; A's server stops answering it.
        await apiB.PostJsonAsync("zone/shared.example/delete_record/1", null, HttpStatusCode.OK);
        watch.Restart();
        await DnsServerTests.WaitForAsync(() => Udp.IsNxDomainAsync(portA, "www.shared.example"), 3000);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"{watch.ElapsedMilliseconds} ms");
        var records = await apiB.GetJsonAsync("zone/shared.example/records");
        Assert.Equal(3, (long)records["serial"]!);
        using var export = await apiB.GetAsync("zone/shared.example/export");
        await NamedCheckzone.LoadAsync("shared.example", await export.Content.ReadAsStringAsync());
    }
}
