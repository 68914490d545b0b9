using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>IXFR (RFC 1995) from the zone's journal: dig's incremental transfers, and a real NSD secondary following many random edits.</summary>
public sealed class IxfrTests(DnsHostFixture fixture) : IxfrTestsBase(fixture), IClassFixture<DnsHostFixture>;

/// <summary>The same tests with the host on PostgreSQL.</summary>
public sealed class IxfrTestsOnPostgres(PostgresDnsHostFixture fixture) : IxfrTestsBase(fixture), IClassFixture<PostgresDnsHostFixture>;

public abstract partial class IxfrTestsBase(DnsHostFixture fixture)
{
    private int Port => fixture.DnsPort;

    /// <summary>The serials of the SOA records in a transfer, in order, and its other records ("name type data").</summary>
    internal static List<string> Transfer(string digOutput) =>
        digOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith(';'))
            .Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(f => f[3] == "SOA" ? "SOA " + f[6] : $"{f[0]} {f[3]} {string.Join(' ', f[4..])}")
            .ToList();

    [Fact]
    public async Task Ixfr_sends_the_changes_since_the_serial_the_client_holds()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = "ixfr" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);                                                       // serial 1
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "a", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);      // 2
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "b", type = "TXT", value = "two" }, HttpStatusCode.Created);          // 3
        await api.PostJsonAsync($"zone/{zone}/delete_record/1", null, HttpStatusCode.OK);                                                 // 4
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "c", type = "AAAA", value = "2001:db8::3" }, HttpStatusCode.Created); // 5
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(Port, "c." + zone, "AAAA")).Count == 1);

        var fromTwo = Transfer(await Dig.DigAsync(Port, "+noall", "+answer", zone, "IXFR=2"));
        Assert.Equal(
            ["SOA 5", "SOA 2", "SOA 3", $"b.{zone}. TXT \"two\"", "SOA 3", $"a.{zone}. A 192.0.2.1", "SOA 4", "SOA 4", "SOA 5", $"c.{zone}. AAAA 2001:db8::3", "SOA 5"],
            fromTwo);

        // Up to date (or ahead, RFC 1982): the SOA alone. From a serial the journal never held: the whole zone, as AXFR sends it.
        Assert.Equal(["SOA 5"], Transfer(await Dig.DigAsync(Port, "+noall", "+answer", zone, "IXFR=5")));
        Assert.Equal(["SOA 5"], Transfer(await Dig.DigAsync(Port, "+noall", "+answer", zone, "IXFR=999")));
        var axfr = Transfer(await Dig.DigAsync(Port, "+noall", "+answer", zone, "AXFR"));
        Assert.Equal(axfr, Transfer(await Dig.DigAsync(Port, "+noall", "+answer", zone, "IXFR=0")));
        Assert.Contains($"b.{zone}. TXT \"two\"", axfr);
        Assert.DoesNotContain($"a.{zone}. A 192.0.2.1", axfr);

        // kdig reads the same incremental transfer.
        Assert.Equal(fromTwo, Transfer(await Dig.KdigAsync(Port, "+noall", "+answer", zone, "IXFR=2")));
        var metrics = await fixture.Host.Client.GetStringAsync("/metrics");
        Assert.Matches(@"edgeplane_dns_transfers_total\{[^}]*kind=""incremental""[^}]*\} [1-9]", metrics);
        // A whole zone sent for an AXFR request is told apart from one sent for an IXFR the journal does not reach.
        Assert.Matches(@"edgeplane_dns_transfers_total\{(?=[^}]*kind=""full"")(?=[^}]*request=""AXFR"")[^}]*\} [1-9]", metrics);
        Assert.Matches(@"edgeplane_dns_transfers_total\{(?=[^}]*kind=""full"")(?=[^}]*request=""IXFR"")[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task Nsd_secondary_stays_identical_through_notify_and_ixfr_after_random_edits()
    {
        var (api, _, _) = await fixture.NewAccountAsync();
        using var admin = fixture.Api(fixture.Host.AdminKey);
        var zone = "rand" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(Port, "www." + zone, "A")).Count == 1);

        using var dir = new TempDirectory();
        await using var nsd = await Nsd.StartAsync(dir, (zone, [$"zonefile: \"{dir.Combine(zone + ".zone")}\"", $"request-xfr: 127.0.0.1@{Port} NOKEY", "allow-notify: 127.0.0.1 NOKEY", "provide-xfr: 127.0.0.1 NOKEY"]));
        var node = await admin.PostJsonAsync("nodes/add", new { name = "ixfr-" + zone, address = "127.0.0.1", port = nsd.Port, location = "Loopback" }, HttpStatusCode.Created);
        try
        {
            await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsd.Port, "www." + zone, "A")).Count == 1);
            var before = await IncrementalTransfersAsync();

            // Random adds and deletes through the API while NSD follows each NOTIFY.
            var random = new Random(21);
            var live = new List<int> { 1 };
            var labels = Enumerable.Range(0, 25).Select(i => "n" + i).ToArray();
            for (var edit = 0; edit < 300; edit++)
            {
                if (live.Count > 0 && random.Next(3) == 0)
                {
                    var index = live[random.Next(live.Count)];
                    await api.PostJsonAsync($"zone/{zone}/delete_record/{index}", null, HttpStatusCode.OK);
                    live.Remove(index);
                    continue;
                }
                var label = labels[random.Next(labels.Length)];
                object body = random.Next(3) switch
                {
                    0 => new { label, type = "A", value = $"198.51.{random.Next(256)}.{random.Next(256)}" },
                    1 => new { label, type = "AAAA", value = $"2001:db8::{random.Next(65536):x}" },
                    _ => new { label, type = "TXT", value = "edit " + edit },
                };
                using var response = await api.PostAsJsonAsync($"zone/{zone}/add", body);
                if (response.StatusCode == HttpStatusCode.Conflict) continue; // the same random data twice
                var added = await response.JsonAsync(HttpStatusCode.Created);
                live.Add((int)added["index"]!);
            }

            // The serial the API committed last; the primary's view and then NSD reach it (each a moment later).
            var serial = ((long)(await api.GetJsonAsync($"zone/{zone}/records"))["serial"]!).ToString(CultureInfo.InvariantCulture);
            async Task<string?> Serial(int port) => (await Dig.ShortAsync(port, zone, "SOA")).SingleOrDefault()?.Split(' ')[2];
            await DnsServerTests.WaitForAsync(async () => await Serial(Port) == serial);
            await nsd.WaitForAsync(async () => await Serial(nsd.Port) == serial, 60000);
            async Task<List<string>> Axfr(int port) => Transfer(await Dig.DigAsync(port, "+noall", "+answer", zone, "AXFR")).Order().ToList();
            var primary = await Axfr(Port);
            Assert.Equal(live.Count + 4, primary.Count); // + SOA twice and the apex NS pair
            Assert.Equal(primary, await Axfr(nsd.Port));
            foreach (var label in labels)
                foreach (var type in (string[])["A", "AAAA", "TXT"])
                    Assert.Equal(await Dig.ShortAsync(Port, $"{label}.{zone}", type), await Dig.ShortAsync(nsd.Port, $"{label}.{zone}", type));
            Assert.True(await IncrementalTransfersAsync() > before, "NSD followed through IXFR, not only full transfers");
        }
        finally
        {
            await admin.PostJsonAsync("nodes/power", new { node = (string)node["id"]!, state = false }, HttpStatusCode.OK);
            (await api.PostAsync($"zone/{zone}/delete", null)).Dispose();
        }
    }

    private async Task<long> IncrementalTransfersAsync()
    {
        var metrics = await fixture.Host.Client.GetStringAsync("/metrics");
        var match = IncrementalCount().Match(metrics);
        return match.Success ? long.Parse(match.Groups[1].Value) : 0;
    }

    [GeneratedRegex(@"edgeplane_dns_transfers_total\{[^}]*kind=""incremental""[^}]*\} (\d+)")]
    private static partial Regex IncrementalCount();
}
