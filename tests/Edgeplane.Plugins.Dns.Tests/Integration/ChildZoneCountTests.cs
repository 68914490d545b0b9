using System.Net;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// Zone cuts at scale, on real SQLite and PostgreSQL: a record write looks for child zones only when the zone's
/// <c>child_zones</c> count says it has some (instead of scanning every zone's name), so the count must stay exact
/// whichever zone came first, when a child zone goes, and for zones stored before the count (-1: counted at their next write).
/// </summary>
public sealed class ChildZoneCountTests(Postgres postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_child_zone_count_follows_zone_adds_and_deletes(string provider)
    {
        using var dir = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        await using var host = await HostProcess.StartAsync(ChangeFeedTests.Options(database, FreePort.Next(), "ep_test_" + Guid.NewGuid().ToString("N")));
        using var api = ChangeFeedTests.Api(host);

        // The grandchild first, then its grandparent (same team), then a zone between them.
        await api.PostJsonAsync("zones/add", new { zone = "a.b.cut.example" }, HttpStatusCode.Created);
        await api.PostJsonAsync("zones/add", new { zone = "cut.example" }, HttpStatusCode.Created);
        await api.PostJsonAsync("zone/cut.example/add", new { label = "x.a.b", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict);
        await api.PostJsonAsync("zones/add", new { zone = "b.cut.example" }, HttpStatusCode.Created);
        Assert.Equal(["cut.example|2", "b.cut.example|1", "a.b.cut.example|0"],
            await database.QueryAsync("SELECT name, child_zones FROM dns_zones ORDER BY LENGTH(name)"));
        await api.PostJsonAsync("zone/cut.example/add", new { label = "y.b", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict);
        await api.PostJsonAsync("zone/b.cut.example/add", new { label = "x.a", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict);

        // Without its child zones, the names are the parent's again.
        await api.PostJsonAsync("zone/a.b.cut.example/delete", null, HttpStatusCode.OK);
        await api.PostJsonAsync("zone/b.cut.example/add", new { label = "x.a", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        await api.PostJsonAsync("zone/b.cut.example/delete", null, HttpStatusCode.OK);
        await api.PostJsonAsync("zone/cut.example/add", new { label = "y.b", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        Assert.Equal(["cut.example|0"], await database.QueryAsync("SELECT name, child_zones FROM dns_zones"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Zones_stored_before_the_count_are_counted_at_their_next_write(string provider)
    {
        using var dir = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        await using var host = await HostProcess.StartAsync(ChangeFeedTests.Options(database, FreePort.Next(), "ep_test_" + Guid.NewGuid().ToString("N")));
        using var api = ChangeFeedTests.Api(host);
        await api.PostJsonAsync("zones/add", new { zone = "old.example" }, HttpStatusCode.Created);
        await api.PostJsonAsync("zones/add", new { zone = "sub.old.example" }, HttpStatusCode.Created);

        // As migration 0005 leaves the zones it finds: not counted.
        await database.QueryAsync("UPDATE dns_zones SET child_zones = -1");
        await api.PostJsonAsync("zone/old.example/add", new { label = "x.sub", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict);
        await api.PostJsonAsync("zone/old.example/add", new { label = "www", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        Assert.Equal(["1"], await database.QueryAsync("SELECT child_zones FROM dns_zones WHERE name = 'old.example'"));
        // A zone added or deleted below an uncounted zone leaves it uncounted (-1), never at a wrong count.
        await database.QueryAsync("UPDATE dns_zones SET child_zones = -1");
        await api.PostJsonAsync("zones/add", new { zone = "two.old.example" }, HttpStatusCode.Created);
        await api.PostJsonAsync("zone/sub.old.example/delete", null, HttpStatusCode.OK);
        Assert.Equal(["-1"], await database.QueryAsync("SELECT child_zones FROM dns_zones WHERE name = 'old.example'"));
        await api.PostJsonAsync("zone/old.example/add", new { label = "x.sub", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        await api.PostJsonAsync("zone/old.example/add", new { label = "x.two", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict);
        Assert.Equal(["1"], await database.QueryAsync("SELECT child_zones FROM dns_zones WHERE name = 'old.example'"));
    }
}
