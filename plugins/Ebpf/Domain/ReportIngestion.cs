using Edgeplane.Plugins.Ebpf.Data;

namespace Edgeplane.Plugins.Ebpf.Domain;

/// <summary>
/// Stores agent reports, several in one transaction (see <c>Jobs/IngestQueue</c>); each replaces its node's current
/// inventory. Writes only what changed: unchanged objects are not touched (a current object was last seen at its node's
/// last report), and the feature report is rewritten only when its content changed. Reports for one node are applied in order.
/// </summary>
public sealed class ReportIngestion(ReportStore reports)
{
    /// <summary>The result of each report; null for a report whose node is gone.</summary>
    public async Task<IngestResult?[]> IngestBatchAsync(IReadOnlyList<(NodeRow Node, AgentReport Report)> batch, DateTimeOffset now, CancellationToken ct)
    {
        await using var writes = await reports.BeginBatchAsync(ct);
        var results = new IngestResult?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
            results[i] = await IngestOneAsync(writes, batch[i].Node, batch[i].Report, now, ct);
        await writes.CommitAsync(ct);
        return results;
    }

    private static async Task<IngestResult?> IngestOneAsync(IngestBatch writes, NodeRow node, AgentReport report, DateTimeOffset now, CancellationToken ct)
    {
        var (found, previousReportAt) = await writes.RecordReportAsync(node.Id, report.Node, now, ct);
        if (!found) return null;
        var changes = InventoryDiff.Compute(await writes.CurrentObjectsAsync(node.Id, ct), report.Objects);

        // closed lifetimes were last seen in the previous report
        await writes.CloseAsync(changes.Disappeared.Select(r => r.RowId), now, previousReportAt ?? now, ct);
        foreach (var (row, reported) in changes.Changed)
            await writes.UpdateAsync(row.RowId, reported.Detail, reported.Name, now, ct);
        await writes.FlushUpdatesAsync(ct);
        foreach (var o in changes.Appeared)
            await writes.InsertAsync(node.TeamId, node.Id, o, now, ct);
        await writes.FlushInsertsAsync(ct);
        return new IngestResult(report.ProgramCount, report.MapCount, changes.Appeared.Count, changes.Disappeared.Count, changes.Changed.Count);
    }
}
