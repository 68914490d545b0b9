using System.Data.Common;

namespace Edgeplane.Plugins.Compute.Data;

/// <summary>
/// One transaction that places an instance on a node or moves its host ports: what it reads agrees with what it
/// writes, and a node it locks takes no other placement until it commits. Disposing without committing stores nothing.
/// </summary>
public sealed class Placement : IAsyncDisposable
{
    private readonly IDbConnectionFactory _db;
    private readonly InstanceStore _instances;
    private readonly NodeStore _nodes;
    private readonly DbConnection _connection;
    private readonly DbTransaction _tx;

    private Placement(IDbConnectionFactory db, InstanceStore instances, NodeStore nodes, DbConnection connection, DbTransaction tx) =>
        (_db, _instances, _nodes, _connection, _tx) = (db, instances, nodes, connection, tx);

    internal static async Task<Placement> BeginAsync(IDbConnectionFactory db, InstanceStore instances, NodeStore nodes, CancellationToken ct)
    {
        var connection = await db.OpenAsync(ct);
        try
        {
            return new Placement(db, instances, nodes, connection, await connection.BeginTransactionAsync(ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task<bool> NameTakenAsync(string teamId, string name) => _instances.NameTakenAsync(teamId, name, _connection, _tx);

    public Task<UserUsage> UserUsageAsync(string userId) => _instances.UserUsageAsync(userId, _connection, _tx);

    public Task<NodeUsage> NodeUsageAsync(string nodeId) => _nodes.UsageAsync(nodeId, _connection, _tx);

    /// <summary>Serialises placements onto one node (a row lock on PostgreSQL; SQLite's write transaction already does).</summary>
    public Task LockNodeAsync(string nodeId) => _nodes.LockAsync(nodeId, _connection, _tx);

    /// <summary>The host ports instances hold on the node.</summary>
    public Task<HashSet<(int Port, string Protocol)>> TakenPortsAsync(string nodeId) => _instances.TakenPortsAsync(nodeId, _connection, _tx);

    /// <summary>Stores the instance and the host ports it holds; false when one of them was just taken by another placement.</summary>
    public async Task<bool> TryInsertAsync(InstanceRow instance)
    {
        try
        {
            await InstanceStore.InsertAsync(instance, _connection, _tx);
            return true;
        }
        catch (DbException e) when (_db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>Stores the instance's new port mappings.</summary>
    public Task ReplacePortsAsync(InstanceRow instance) => InstanceStore.ReplacePortsAsync(instance, _connection, _tx);

    public Task CommitAsync(CancellationToken ct) => _tx.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
