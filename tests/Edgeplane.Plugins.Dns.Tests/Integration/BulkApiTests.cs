using System.Net;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

public sealed class BulkApiTests(BulkHostFixture fixture) : BulkApiTestsBase(fixture), IClassFixture<BulkHostFixture>;

/// <summary>The same tests with the host on PostgreSQL.</summary>
public sealed class BulkApiTestsOnPostgres(PostgresBulkHostFixture fixture) : BulkApiTestsBase(fixture), IClassFixture<PostgresBulkHostFixture>;

/// <summary><c>POST /zone/{zone}/bulk</c>: many changes, one transaction, one serial bump, all or nothing.</summary>
public abstract class BulkApiTestsBase(BulkHostFixture fixture)
{
    private static string NewZone() => $"b{Guid.NewGuid():N}"[..14] + ".example";

    private static async Task<(long Serial, JsonArray Records)> RecordsAsync(HttpClient api, string zone)
    {
        var list = await api.GetJsonAsync($"zone/{zone}/records");
        return ((long)list["serial"]!, list["records"]!.AsArray());
    }

    [Fact]
    public async Task Adds_edits_and_deletes_in_one_request_with_one_serial_bump()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "old", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "mail", type = "A", ttl = 300, value = "192.0.2.25" }, HttpStatusCode.Created);
        var (before, _) = await RecordsAsync(api, zone);

        var result = await api.PostJsonAsync($"zone/{zone}/bulk", new
        {
            changes = new object[]
            {
                new { op = "add", label = "www", type = "A", ttl = 300, value = "192.0.2.80" },
                new { label = "www", type = "AAAA", ttl = "300", value = "2001:db8::80" }, // op defaults to add; numbers as strings
                new { op = "edit", index = 2, value = "192.0.2.26" },
                new { op = "delete", index = 1 },
                new { op = "add", label = "old", type = "CNAME", value = "www." + zone }, // fits once the address is deleted
                new { op = "add", label = "@", type = "MX", ttl = 300, value = "mail." + zone, priority = 10 },
            },
        }, HttpStatusCode.OK);
        Assert.Equal(before + 1, (long)result["serial"]!);
        Assert.Equal([3, 4, 2, 1, 5, 6], result["results"]!.AsArray().Select(r => (int)r!["record"]!["index"]!));

        var (serial, records) = await RecordsAsync(api, zone);
        Assert.Equal(before + 1, serial);
        Assert.Equal(["2 mail A 192.0.2.26", "3 www A 192.0.2.80", "4 www AAAA 2001:db8::80", "5 old CNAME www." + zone + ".", "6 @ MX 10 mail." + zone + "."],
            records.Select(r => $"{r!["index"]} {r["label"]} {r["type"]} {r["rdata"]}"));

        // the server answers the new data
        await DnsServerTests.WaitForAsync(async () => (await Dig.ShortAsync(fixture.DnsPort, "old." + zone, "A")).Contains("192.0.2.80"));
        Assert.Equal(["192.0.2.26"], await Dig.ShortAsync(fixture.DnsPort, "mail." + zone, "A"));
    }

    [Fact]
    public async Task One_refused_change_refuses_all_and_names_each_item_and_field()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync($"zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        var (before, _) = await RecordsAsync(api, zone);

        var invalid = await api.PostJsonAsync($"zone/{zone}/bulk", new
        {
            changes = new object[]
            {
                new { label = "ok", type = "A", value = "192.0.2.2" },
                new { label = "bad", type = "A", value = "999.1.1.1" },
                new { label = "t", type = "A", ttl = "soon", value = "192.0.2.3" },
                new { op = "delete" },
                new { op = "rename", index = 1 },
                new { label = "www", type = "CNAME", value = "elsewhere.example.org" },
            },
        }, HttpStatusCode.BadRequest);
        var errors = invalid["errors"]!.AsObject();
        Assert.Equal(["changes[1].value", "changes[2].ttl", "changes[3].index", "changes[4].op", "changes[5].label"], errors.Select(e => e.Key).Order());

        // well-formed changes that do not fit the zone's data: a 409, each named
        var conflict = await api.PostJsonAsync($"zone/{zone}/bulk", new
        {
            changes = new object[]
            {
                new { label = "new", type = "A", value = "192.0.2.9" },
                new { label = "www", type = "A", value = "192.0.2.1" },
                new { label = "www", type = "A", ttl = 600, value = "192.0.2.4" },
                new { op = "delete", index = 42 },
            },
        }, HttpStatusCode.Conflict);
        Assert.Equal(["changes[1]", "changes[2].ttl", "changes[3].index"], conflict["errors"]!.AsObject().Select(e => e.Key).Order());

        var (serial, records) = await RecordsAsync(api, zone);
        Assert.Equal(before, serial);
        Assert.Equal(["www"], records.Select(r => (string)r!["label"]!));
        Assert.Contains("status: NXDOMAIN", await Dig.DigAsync(fixture.DnsPort, "+norec", "new." + zone, "A"));
    }

    [Fact]
    public async Task Limits_and_bodies_are_4xx_naming_the_field()
    {
        var api = await fixture.SharedAccountAsync();
        var zone = NewZone();
        await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var tooMany = Enumerable.Range(0, BulkHostFixture.MaxBulkChanges + 1).Select(i => new { label = "h" + i, type = "A", value = "192.0.2.1" }).ToArray();
        var problem = await api.PostJsonAsync($"zone/{zone}/bulk", new { changes = tooMany }, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(BulkHostFixture.MaxBulkChanges.ToString(), problem["errors"]!["changes"]![0]!.ToString());
        // exactly the limit is accepted
        await api.PostJsonAsync($"zone/{zone}/bulk", new { changes = tooMany[..BulkHostFixture.MaxBulkChanges] }, HttpStatusCode.OK);

        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/bulk", new { }, HttpStatusCode.BadRequest))["errors"]!["changes"]);
        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/bulk", new { changes = Array.Empty<object>() }, HttpStatusCode.BadRequest))["errors"]!["changes"]);
        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/bulk", new { changes = "add www" }, HttpStatusCode.BadRequest))["errors"]!["changes"]);
        Assert.NotNull((await api.PostJsonAsync($"zone/{zone}/bulk", new { changes = new object[] { 7 } }, HttpStatusCode.BadRequest))["errors"]!["changes[0]"]);
        Assert.Equal(BulkHostFixture.MaxBulkChanges, (await RecordsAsync(api, zone)).Records.Count);
    }

    [Fact]
    public async Task Another_accounts_zone_is_404_until_shared()
    {
        var (alice, _, _) = await fixture.NewAccountAsync();
        var (bob, bobName, _) = await fixture.NewAccountAsync();
        var zone = NewZone();
        await alice.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        var body = new { changes = new object[] { new { label = "x", type = "A", value = "192.0.2.9" } } };
        await bob.PostJsonAsync($"zone/{zone}/bulk", body, HttpStatusCode.NotFound);
        await alice.PostJsonAsync($"zone/{zone}/users", new { username = bobName }, HttpStatusCode.OK);
        await bob.PostJsonAsync($"zone/{zone}/bulk", body, HttpStatusCode.OK);
        using var anonymous = fixture.Api(null);
        await anonymous.PostJsonAsync($"zone/{zone}/bulk", body, HttpStatusCode.Unauthorized);
    }
}
