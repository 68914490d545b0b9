using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>
/// One transaction over several reports (group commit): each report's node update and its object lifetimes closed,
/// rewritten and opened, with prepared multi-row statements shared by the whole batch. Nothing is kept unless
/// <see cref="CommitAsync"/> is called.
/// </summary>
public sealed class IngestBatch : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly ObjectInserter _inserts;
    private readonly ObjectUpdater _updates;

    private IngestBatch(DbConnection connection, DbTransaction transaction, string provider)
    {
        _connection = connection;
        _transaction = transaction;
        _inserts = new ObjectInserter(connection, transaction, ObjectInserter.RowsFor(provider));
        _updates = new ObjectUpdater(connection, transaction, provider);
    }

    internal static async Task<IngestBatch> BeginAsync(IDbConnectionFactory db, CancellationToken ct)
    {
        var connection = await db.OpenAsync(ct);
        try
        {
            return new IngestBatch(connection, await connection.BeginTransactionAsync(ct), db.Dialect.Provider);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class NodeState
    {
        public DateTimeOffset? LastReportAt { get; set; }
        public string? FeaturesHash { get; set; }
    }

    /// <summary>
    /// Writes the report on its node (the feature report only when its content changed). Found is false when the node
    /// is gone; otherwise the time of the node's previous report, read inside the transaction (an earlier report of the
    /// same batch may have changed it).
    /// </summary>
    public async Task<(bool Found, DateTimeOffset? PreviousReportAt)> RecordReportAsync(string nodeId, NodeReport report, DateTimeOffset now, CancellationToken ct)
    {
        var state = await _connection.QuerySingleOrDefaultAsync<NodeState>(new CommandDefinition(
            "SELECT last_report_at AS LastReportAt, features_hash AS FeaturesHash FROM ebpf_nodes WHERE id = @id", new { id = nodeId }, _transaction, cancellationToken: ct));
        if (state is null) return (false, null);
        var featuresChanged = state.FeaturesHash != report.FeaturesHash;
        var touched = await _connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ebpf_nodes SET last_report_at = @now, collected_at = @CollectedAt, report_count = report_count + 1, " +
            "agent_version = @AgentVersion, kernel_release = @KernelRelease, hostname = COALESCE(@Hostname, hostname), " +
            // a node enrolled by an agent without machine ids learns its id here, so the machine is recognised when it enrolls again
            "machine_id = COALESCE(machine_id, @MachineId), " +
            "program_count = @programs, map_count = @maps" +
            (featuresChanged ? ", features = @Features, features_hash = @FeaturesHash" : "") + " WHERE id = @id",
            new
            {
                now, report.CollectedAt, report.AgentVersion, report.KernelRelease, report.Hostname, report.MachineId,
                programs = report.ProgramCount, maps = report.MapCount, report.Features, report.FeaturesHash, id = nodeId,
            }, _transaction, cancellationToken: ct));
        return (touched > 0, state.LastReportAt);
    }

    /// <summary>The node's open object lifetimes.</summary>
    public Task<IEnumerable<CurrentObject>> CurrentObjectsAsync(string nodeId, CancellationToken ct) =>
        _connection.QueryAsync<CurrentObject>(new CommandDefinition(
            "SELECT row_id AS RowId, kind AS Kind, object_id AS ObjectId, identity AS Identity, detail AS Detail " +
            "FROM ebpf_objects WHERE node_id = @id AND disappeared_at IS NULL", new { id = nodeId }, _transaction, cancellationToken: ct));

    /// <summary>Ends the lifetimes: they disappeared at <paramref name="now"/>, last seen at <paramref name="lastSeen"/>.</summary>
    public async Task CloseAsync(IEnumerable<string> rowIds, DateTimeOffset now, DateTimeOffset lastSeen, CancellationToken ct)
    {
        foreach (var chunk in rowIds.Chunk(500))
            await _connection.ExecuteAsync(new CommandDefinition(
                "UPDATE ebpf_objects SET disappeared_at = @now, last_seen = @lastSeen WHERE row_id IN @ids",
                new { now, lastSeen, ids = chunk }, _transaction, cancellationToken: ct));
    }

    /// <summary>Rewrites an open lifetime's values (written by <see cref="FlushUpdatesAsync"/> at the latest).</summary>
    public Task UpdateAsync(string rowId, string detail, string name, DateTimeOffset now, CancellationToken ct) =>
        _updates.AddAsync(rowId, detail, name, now, ct);

    public Task FlushUpdatesAsync(CancellationToken ct) => _updates.FlushAsync(ct);

    /// <summary>Opens a lifetime (written by <see cref="FlushInsertsAsync"/> at the latest).</summary>
    public Task InsertAsync(string teamId, string nodeId, ReportedObject o, DateTimeOffset now, CancellationToken ct) =>
        _inserts.AddAsync(Ids.New(now), teamId, nodeId, o, now, ct);

    public Task FlushInsertsAsync(CancellationToken ct) => _inserts.FlushAsync(ct);

    public Task CommitAsync(CancellationToken ct) => _transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _updates.DisposeAsync();
        await _inserts.DisposeAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
