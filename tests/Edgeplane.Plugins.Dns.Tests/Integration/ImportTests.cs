using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Dns.Tests.Unit;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// <c>POST /zone/{zone}/import</c> (an RFC 1035 master file) and <c>/import/axfr</c> (a transfer from a real NSD primary on
/// 127.0.0.1): one transaction, a per-line report, merge or replace.
/// </summary>
public sealed class ImportTests(BulkHostFixture fixture) : IClassFixture<BulkHostFixture>
{
    private static string NewZone() => $"i{Guid.NewGuid():N}"[..14] + ".example";

    private static string BindStyle(string zone) => ZoneFiles.BindStyle.Replace("example.com", zone, StringComparison.Ordinal);

    private static async Task<JsonObject> ImportFileAsync(HttpClient api, string zone, string text, string mode, HttpStatusCode expected)
    {
        using var content = new StringContent(text, Encoding.UTF8, "text/dns");
        using var response = await api.PostAsync($"zone/{zone}/import?mode={mode}", content);
        return await response.JsonAsync(expected);
    }

    private static async Task<(long Serial, List<string> Records)> RecordsAsync(HttpClient api, string zone)
    {
        var list = await api.GetJsonAsync($"zone/{zone}/records");
        return ((long)list["serial"]!, list["records"]!.AsArray().Select(r => $"{r!["name"]} {r["ttl"]} {r["type"]} {r["rdata"]}").ToList());
    }

    [Fact]
    public async Task A_bind_style_zone_file_is_imported_in_one_transaction()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        var created = await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var result = await ImportFileAsync(api, zone, BindStyle(zone), "replace", HttpStatusCode.OK);
        Assert.Equal((long)created["serial"]! + 1, (long)result["serial"]!);
        Assert.Equal(14, (int)result["added"]!);
        Assert.Equal([4, 8, 9], result["skipped"]!.AsArray().Select(s => (int)s!["line"]!)); // the SOA and the apex NS set

        var (_, records) = await RecordsAsync(api, zone);
        Assert.Contains($"www.{zone}. 300 AAAA 2001:db8::80", records);
        Assert.Contains($"alias.{zone}. 3600 CNAME www.{zone}.", records);
        Assert.Contains($"sub.{zone}. 86400 NS ns1.sub.{zone}.", records);
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, zone, "TXT")).Contains("\"v=spf1 mx -all\""));
        Assert.Equal(["10 5 5060 sip." + zone + "."], await Dig.ShortAsync(fixture.DnsPort, "_sip._tcp." + zone, "SRV"));
    }

    [Fact]
    public async Task Export_then_import_into_an_empty_zone_exports_the_same()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/bulk", new
        {
            changes = new object[]
            {
                new { label = "@", type = "A", ttl = 300, value = "192.0.2.1" },
                new { label = "www", type = "AAAA", ttl = 300, value = "2001:db8::1" },
                new { label = "alias", type = "CNAME", ttl = 60, value = "www." + zone },
                new { label = "@", type = "MX", ttl = 300, value = "mail." + zone, priority = 10 },
                new { label = "backup", type = "MX", ttl = 300, value = ".", priority = 0 },
                new { label = "mail", type = "A", ttl = 300, value = "192.0.2.25" },
                new { label = "_sip._tcp", type = "SRV", ttl = 300, value = "sip.example.net", priority = 10, weight = 20, port = 5060 },
                new { label = "@", type = "TXT", ttl = 300, value = "v=spf1 \"quoted\" \\ ; -all" },
                new { label = "long", type = "TXT", ttl = 300, value = new string('é', 300) + new string('y', 700) },
                new { label = "@", type = "CAA", ttl = 300, value = "letsencrypt.org", flags = 0, tag = "issue" },
                new { label = "@", type = "CAA", ttl = 300, value = "mailto:ops@" + zone, flags = 128, tag = "iodef" },
                new { label = "sub", type = "NS", ttl = 300, value = "ns1.sub." + zone },
                new { label = "ns1.sub", type = "A", ttl = 300, value = "192.0.2.53" },
            },
        }, HttpStatusCode.OK);
        var first = await api.GetStringAsync($"zone/{zone}/export");
        var (_, records) = await RecordsAsync(api, zone);

        await api.PostJsonAsync($"zone/{zone}/delete", null, HttpStatusCode.OK);
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var result = await api.PostJsonAsync($"zone/{zone}/import", new { zonefile = first }, HttpStatusCode.OK);
        Assert.Equal(records.Count, (int)result["added"]!);
        var second = await api.GetStringAsync($"zone/{zone}/export");
        Assert.Equal(WithoutSerial(first), WithoutSerial(second));
        Assert.Equal(records, (await RecordsAsync(api, zone)).Records);

        // the same file again changes nothing, merged or replacing: no serial bump
        var (serial, _) = await RecordsAsync(api, zone);
        var merged = await api.PostJsonAsync($"zone/{zone}/import", new { zonefile = second, mode = "merge" }, HttpStatusCode.OK);
        Assert.Equal(records.Count + 3, merged["skipped"]!.AsArray().Count);
        Assert.Equal(0, (int)merged["added"]!);
        var replaced = await ImportFileAsync(api, zone, second, "replace", HttpStatusCode.OK);
        Assert.Equal(0, (int)replaced["added"]! + (int)replaced["removed"]!);
        Assert.Equal(serial, (await RecordsAsync(api, zone)).Serial);
    }

    private static List<string> WithoutSerial(string export) =>
        export.Split('\n').Where(l => !l.StartsWith(';') && !l.Contains("\tSOA\t", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Merge_adds_and_replace_makes_the_zone_the_file_keeping_indexes_of_what_stays()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "keep", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "old", type = "A", ttl = 300, value = "192.0.2.2" }, HttpStatusCode.Created);
        const string file = "$TTL 300\nkeep A 192.0.2.1\nnew A 192.0.2.3\n";

        var merged = await ImportFileAsync(api, zone, file, "merge", HttpStatusCode.OK);
        Assert.Equal(1, (int)merged["added"]!);
        Assert.Equal("already in the zone", (string)merged["skipped"]![0]!["reason"]!);
        Assert.Equal(3, (await RecordsAsync(api, zone)).Records.Count);

        var replaced = await ImportFileAsync(api, zone, file, "replace", HttpStatusCode.OK);
        Assert.Equal(1, (int)replaced["removed"]!);
        Assert.Equal(0, (int)replaced["added"]!);
        var list = await api.GetJsonAsync($"zone/{zone}/records");
        Assert.Equal(["1 keep", "3 new"], list["records"]!.AsArray().Select(r => $"{r!["index"]} {r["label"]}"));
        Assert.Contains("status: NXDOMAIN", await Dig.DigAsync(fixture.DnsPort, "+norec", "old." + zone, "A"));
    }

    [Fact]
    public async Task Refused_lines_are_reported_each_and_nothing_is_imported()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        var before = await RecordsAsync(api, zone);
        var file = $"""
            $ORIGIN {zone}.
            $TTL 300
            fine    A 192.0.2.5
            www     CNAME elsewhere.example.org.
            bad     A 192.0.2.999
            outside.example.org. A 192.0.2.6
            ds      DS 12345 13 2 ABCDEF
            """;
        var problem = await ImportFileAsync(api, zone, file, "merge", HttpStatusCode.BadRequest);
        var lines = problem["lines"]!.AsArray();
        Assert.Equal([4, 5, 6, 7], lines.Select(l => (int)l!["line"]!));
        Assert.Equal("www     CNAME elsewhere.example.org.", (string)lines[0]!["text"]!); // as written
        Assert.StartsWith("label:", (string)lines[0]!["reason"]!);
        Assert.StartsWith("value:", (string)lines[1]!["reason"]!);
        Assert.Contains("inside the zone", (string)lines[2]!["reason"]!);
        Assert.Contains("DS", (string)lines[3]!["reason"]!);
        Assert.Equal(4, problem["errors"]!["zonefile"]!.AsArray().Count);
        var after = await RecordsAsync(api, zone);
        Assert.Equal(before.Serial, after.Serial);
        Assert.Equal(before.Records, after.Records);
    }

    [Fact]
    public async Task Imports_over_the_limits_or_with_bad_options_are_4xx_naming_the_field()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var big = "$TTL 300\n" + string.Concat(Enumerable.Range(0, BulkHostFixture.MaxImportRecords + 1).Select(i => $"h{i} A 192.0.2.1\n"));
        var tooBig = await ImportFileAsync(api, zone, big, "merge", HttpStatusCode.RequestEntityTooLarge);
        Assert.NotNull(tooBig["errors"]!["zonefile"]);
        Assert.NotNull((await ImportFileAsync(api, zone, "$TTL 300\na A 192.0.2.1\n", "overwrite", HttpStatusCode.BadRequest))["errors"]!["mode"]);
        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/import", new { }, HttpStatusCode.BadRequest))["errors"]!["zonefile"]);
        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/import/axfr", new { }, HttpStatusCode.BadRequest))["errors"]!["primary"]);
        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/import/axfr", new { primary = "ns1.example.net" }, HttpStatusCode.BadRequest))["errors"]!["primary"]);
        // only the primaries the operator allows (127.0.0.1 here)
        var refused = await api.PostJsonAsync($"zone/{zone}/import/axfr", new { primary = "127.0.0.2:53" }, HttpStatusCode.BadRequest);
        Assert.Contains("ImportPrimaries", refused["errors"]!["primary"]![0]!.ToString());
        // nothing listening there
        var closed = await api.PostJsonAsync($"zone/{zone}/import/axfr", new { primary = $"127.0.0.1:{FreePort.Next()}" }, HttpStatusCode.BadRequest);
        Assert.Contains("cannot reach", closed["errors"]!["primary"]![0]!.ToString());
        Assert.Empty((await RecordsAsync(api, zone)).Records);
    }

    [Fact]
    public async Task A_zone_is_imported_by_axfr_from_a_real_nsd_primary()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine(zone + ".zone"), BindStyle(zone));
        await using var nsd = await Nsd.StartAsync(dir, (zone, [$"zonefile: \"{dir.Combine(zone + ".zone")}\"", "provide-xfr: 127.0.0.1 NOKEY"]));
        var port = nsd.Port;
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(port, zone, "SOA")).Count > 0, 10000);

        var result = await api.PostJsonAsync($"zone/{zone}/import/axfr", new { primary = $"127.0.0.1:{port}", mode = "replace" }, HttpStatusCode.OK);
        Assert.Equal(14, (int)result["added"]!);
        // what came by AXFR is exactly what the file holds: importing the file now changes nothing
        var again = await ImportFileAsync(api, zone, BindStyle(zone), "replace", HttpStatusCode.OK);
        Assert.Equal(0, (int)again["added"]! + (int)again["removed"]!);
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, "www." + zone, "A")).Contains("192.0.2.80"));

        // a zone the primary does not serve is refused by it: a 400 naming the primary, nothing imported
        var other = NewZone();
        await api.PostJsonAsync("zones/add", new { zone = other }, HttpStatusCode.Created);
        var refused = await api.PostJsonAsync($"zone/{other}/import/axfr", new { primary = $"127.0.0.1:{port}" }, HttpStatusCode.BadRequest);
        Assert.NotNull(refused["errors"]!["primary"]);
        Assert.Empty((await RecordsAsync(api, other)).Records);
    }
}
