using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Plugins.Ebpf.Domain;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>Stores agent reports: each replaces its node's current inventory, keeping the history of object lifetimes.</summary>
public sealed class ReportStore(IDbConnectionFactory db)
{
    /// <summary>
    /// Stores several reports in one transaction (see <c>Jobs/IngestQueue</c>); each replaces its node's
    /// current inventory. A null result: that node is gone. Writes only what changed: unchanged objects are
    /// not touched (a current object was last seen at its node's last report), and the feature report is
    /// rewritten only when its content changed. Reports for one node are applied in order.
    /// </summary>
    public async Task<IngestResult?[]> IngestBatchAsync(IReadOnlyList<(NodeRow Node, AgentReport Report)> reports, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var inserts = new ObjectInserter(c, tx, ObjectInserter.RowsFor(db.Dialect.Provider));
        await using var updates = new ObjectUpdater(c, tx, db.Dialect.Provider);
        var results = new IngestResult?[reports.Count];
        for (var i = 0; i < reports.Count; i++)
            results[i] = await IngestOneAsync(c, tx, inserts, updates, reports[i].Node, reports[i].Report, now, ct);
        await tx.CommitAsync(ct);
        return results;
    }

    private sealed class NodeState
    {
        public DateTimeOffset? LastReportAt { get; set; }
        public string? FeaturesHash { get; set; }
    }

    private static async Task<IngestResult?> IngestOneAsync(DbConnection c, DbTransaction tx, ObjectInserter inserts, ObjectUpdater updates, NodeRow node, AgentReport report, DateTimeOffset now, CancellationToken ct)
    {
        // Read inside the transaction: an earlier report of the same batch may have changed them.
        var state = await c.QuerySingleOrDefaultAsync<NodeState>(new CommandDefinition(
            "SELECT last_report_at AS LastReportAt, features_hash AS FeaturesHash FROM ebpf_nodes WHERE id = @id", new { id = node.Id }, tx, cancellationToken: ct));
        if (state is null) return null;
        var featuresChanged = state.FeaturesHash != report.FeaturesHash;
        var touched = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ebpf_nodes SET last_report_at = @now, collected_at = @CollectedAt, report_count = report_count + 1, " +
            "agent_version = @AgentVersion, kernel_release = @KernelRelease, hostname = COALESCE(@Hostname, hostname), " +
            // a node enrolled by an agent without machine ids learns its id here, so the machine is recognised when it enrolls again
            "machine_id = COALESCE(machine_id, @MachineId), " +
            "program_count = @programs, map_count = @maps" +
            (featuresChanged ? ", features = @Features, features_hash = @FeaturesHash" : "") + " WHERE id = @id",
            new
            {
                now, report.CollectedAt, report.AgentVersion, report.KernelRelease, report.Hostname, report.MachineId,
                programs = report.ProgramCount, maps = report.MapCount, report.Features, report.FeaturesHash, id = node.Id,
            }, tx, cancellationToken: ct));
        if (touched == 0) return null;

        var current = await c.QueryAsync<CurrentObject>(new CommandDefinition(
            "SELECT row_id AS RowId, kind AS Kind, object_id AS ObjectId, identity AS Identity, detail AS Detail " +
            "FROM ebpf_objects WHERE node_id = @id AND disappeared_at IS NULL", new { id = node.Id }, tx, cancellationToken: ct));
        var changes = InventoryDiff.Compute(current, report.Objects);

        // closed lifetimes were last seen in the previous report
        var lastSeen = state.LastReportAt ?? now;
        foreach (var chunk in changes.Disappeared.Select(r => r.RowId).Chunk(500))
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE ebpf_objects SET disappeared_at = @now, last_seen = @lastSeen WHERE row_id IN @ids",
                new { now, lastSeen, ids = chunk }, tx, cancellationToken: ct));
        foreach (var (row, reported) in changes.Changed)
            await updates.AddAsync(row.RowId, reported.Detail, reported.Name, now, ct);
        await updates.FlushAsync(ct);
        foreach (var o in changes.Appeared)
            await inserts.AddAsync(Ids.New(now), node.TeamId, node.Id, o, now, ct);
        await inserts.FlushAsync(ct);
        return new IngestResult(report.ProgramCount, report.MapCount, changes.Appeared.Count, changes.Disappeared.Count, changes.Changed.Count);
    }
}
