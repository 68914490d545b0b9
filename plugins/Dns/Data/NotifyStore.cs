using Dapper;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>The NOTIFY bookkeeping (<c>dns_notified</c>): the serial of each zone each target acknowledged last.</summary>
public sealed class NotifyStore(IDbConnectionFactory db)
{
    public async Task<List<NotifiedRow>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<NotifiedRow>("SELECT zone_id AS ZoneId, target AS Target, serial AS Serial FROM dns_notified")).AsList();
    }

    public async Task MarkAsync(string zoneId, string target, long serial, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(db.Dialect.Upsert("dns_notified", ["zone_id", "target"], ["zone_id", "target", "serial"]),
            new { zone_id = zoneId, target, serial });
    }
}
