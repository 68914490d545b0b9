using Dapper;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>The DNS nodes (<c>dns_nodes</c>): the secondaries notified of every zone change while enabled.</summary>
public sealed class NodeStore(IDbConnectionFactory db)
{
    public async Task<List<NodeRow>> ListNodesAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<NodeRow>($"SELECT {NodeRow.Columns} FROM dns_nodes ORDER BY name")).AsList();
    }

    public async Task<NodeRow?> AddNodeAsync(NodeRow node, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await ViewStore.LockWritersAsync(c, tx);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_nodes WHERE name = @Name", node, tx) > 0) return null;
        await c.ExecuteAsync("INSERT INTO dns_nodes (id, name, address, port, location, latitude, longitude, enabled, created_at) VALUES (@Id, @Name, @Address, @Port, @Location, @Latitude, @Longitude, @Enabled, @CreatedAt)", node, tx);
        await tx.CommitAsync(ct);
        return node;
    }

    public async Task<bool> SetNodeEnabledAsync(string id, bool enabled, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await ViewStore.LockWritersAsync(c, tx);
        var n = await c.ExecuteAsync("UPDATE dns_nodes SET enabled = @enabled WHERE id = @id", new { id, enabled }, tx);
        await tx.CommitAsync(ct);
        return n > 0;
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_nodes");
    }
}
