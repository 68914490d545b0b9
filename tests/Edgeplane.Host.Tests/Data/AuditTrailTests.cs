using Dapper;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Host.Auditing;
using Edgeplane.Host.Composition;
using Edgeplane.Host.Data;
using Edgeplane.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edgeplane.Host.Tests.Data;

/// <summary>The SDK's <see cref="IAuditTrail"/> over <c>host_audit</c>, on every provider that is here.</summary>
public sealed class AuditTrailTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task Reads_filter_by_team_plugin_action_and_time_oldest_first(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        var environment = await TestDatabases.CreateAsync(provider, _dir.Path);
        var db = new DbConnectionFactory(new DatabaseOptions(provider, environment["Edgeplane__Database__ConnectionString"]!));
        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance)
            .ApplyAsync("host", Migration.From(typeof(EdgeplaneApplication).Assembly), Ct);
        var t0 = DateTimeOffset.Parse("2026-11-01T00:00:00Z");
        var rows = new[]
        {
            (Id: "a1", At: t0, Team: "t1", Plugin: (string?)"rollouts", Action: "POST /rollouts/api/v1/incidents"),
            (Id: "a2", At: t0.AddMinutes(1), Team: "t1", Plugin: null, Action: "rollouts.incident.create"),
            (Id: "a3", At: t0.AddMinutes(2), Team: "t1", Plugin: "dns", Action: "POST /dns/api/zones"),
            (Id: "a4", At: t0.AddMinutes(3), Team: "t2", Plugin: "rollouts", Action: "POST /rollouts/api/v1/groups"),
            (Id: "a5", At: t0.AddMinutes(4), Team: "t1", Plugin: null, Action: "dns.zone.create"),
            (Id: "a6", At: t0.AddMinutes(5), Team: "t1", Plugin: null, Action: "rollouts.group.delete"),
        };
        await using (var connection = await db.OpenAsync(Ct))
            foreach (var r in rows)
                await connection.ExecuteAsync("INSERT INTO host_audit (id, at, team_id, plugin, action, target, status) VALUES (@Id, @At, @Team, @Plugin, @Action, 'x', 200)",
                    new { r.Id, r.At, r.Team, r.Plugin, r.Action });
        var trail = new AuditTrail(db);

        async Task<string[]> Ids(AuditQuery q) => await trail.ReadAsync(q, Ct).Select(e => e.Id).ToArrayAsync(Ct);

        Assert.Equal(["a1", "a2", "a6"], await Ids(new AuditQuery(TeamId: "t1", Plugin: "rollouts")));
        Assert.Equal(["a1", "a2", "a4", "a6"], await Ids(new AuditQuery(Plugin: "rollouts")));
        Assert.Equal(["a2"], await Ids(new AuditQuery(TeamId: "t1", Plugin: "rollouts", ActionPrefix: "rollouts.incident.")));
        Assert.Equal(["a2", "a6"], await Ids(new AuditQuery(TeamId: "t1", Plugin: "rollouts", From: t0.AddSeconds(30))));
        Assert.Equal(["a1", "a2"], await Ids(new AuditQuery(TeamId: "t1", Plugin: "rollouts", To: t0.AddMinutes(1))));
        Assert.Equal(["a1", "a2"], await Ids(new AuditQuery(TeamId: "t1", Plugin: "rollouts", Limit: 2)));
        var first = await trail.ReadAsync(new AuditQuery(TeamId: "t1"), Ct).FirstAsync(Ct);
        Assert.Equal(t0, first.At);
        Assert.Equal(200, first.Status);
    }
}
