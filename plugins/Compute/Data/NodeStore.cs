using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Compute.Data;

/// <summary>The <c>compute_nodes</c> table: the machines whose container engine the plugin drives.</summary>
public sealed class NodeStore(IDbConnectionFactory db, TimeProvider clock)
{
    private const string Columns = "id, name, tags, ram_bytes AS RamBytes, disk_bytes AS DiskBytes, processor_nano AS ProcessorNano, address, port, tls, status, engine, api_version AS ApiVersion, last_error AS LastError, last_seen_at AS LastSeenAt, created_at AS CreatedAt, updated_at AS UpdatedAt";
    private const string UsageSql = $"SELECT COALESCE(SUM(memory_bytes), 0) AS MemoryBytes, COALESCE(SUM(nano_cpus), 0) AS NanoCpus, COUNT(*) AS Instances FROM compute_instances WHERE node_id = @nodeId AND {InstanceStore.Holding}";

    public async Task<IReadOnlyList<NodeRow>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<NodeRow>($"SELECT {Columns} FROM compute_nodes ORDER BY name")).AsList();
    }

    public async Task<NodeRow?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<NodeRow>($"SELECT {Columns} FROM compute_nodes WHERE id = @id", new { id });
    }

    /// <summary>Adds the node; false when a node of that name exists.</summary>
    public async Task<bool> TryInsertAsync(NodeRow node, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        try
        {
            await c.ExecuteAsync(
                "INSERT INTO compute_nodes (id, name, tags, ram_bytes, disk_bytes, processor_nano, address, port, tls, status, engine, api_version, last_error, last_seen_at, created_at, updated_at) " +
                "VALUES (@Id, @Name, @Tags, @RamBytes, @DiskBytes, @ProcessorNano, @Address, @Port, @Tls, @Status, @Engine, @ApiVersion, @LastError, @LastSeenAt, @CreatedAt, @UpdatedAt)", node);
            return true;
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task UpdateHealthAsync(string id, string status, string? engine, string? apiVersion, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(
            "UPDATE compute_nodes SET status = @status, engine = COALESCE(@engine, engine), api_version = COALESCE(@apiVersion, api_version), last_error = @error, " +
            "last_seen_at = CASE WHEN @up = 1 THEN @now ELSE last_seen_at END, updated_at = @now WHERE id = @id",
            new { id, status, engine, apiVersion, error, up = status == NodeStatus.Up ? 1 : 0, now });
    }

    /// <summary>Deletes the node; with <paramref name="force"/> its instances are marked deleted and their ports freed.</summary>
    public async Task DeleteAsync(string id, bool force, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (force)
        {
            await c.ExecuteAsync("DELETE FROM compute_ports WHERE node_id = @id", new { id }, tx);
            await c.ExecuteAsync("UPDATE compute_instances SET state = 'deleted', message = 'node deleted', deleted_at = @now, updated_at = @now WHERE node_id = @id AND deleted_at IS NULL", new { id, now }, tx);
        }
        await c.ExecuteAsync("DELETE FROM compute_nodes WHERE id = @id", new { id }, tx);
        await tx.CommitAsync(ct);
    }

    public async Task<NodeUsage> UsageAsync(string nodeId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleAsync<NodeUsage>(UsageSql, new { nodeId });
    }

    internal Task<NodeUsage> UsageAsync(string nodeId, DbConnection connection, DbTransaction tx) =>
        connection.QuerySingleAsync<NodeUsage>(UsageSql, new { nodeId }, tx);

    /// <summary>Serialises deploys onto one node (a row lock on PostgreSQL; SQLite's write transaction already does).</summary>
    internal Task LockAsync(string nodeId, DbConnection connection, DbTransaction tx) =>
        connection.ExecuteAsync("UPDATE compute_nodes SET updated_at = updated_at WHERE id = @nodeId", new { nodeId }, tx);
}
