
namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>Where agent reports are written: one <see cref="IngestBatch"/> (one transaction) per group of reports.</summary>
public sealed class ReportStore(IDbConnectionFactory db)
{
    public Task<IngestBatch> BeginBatchAsync(CancellationToken ct) => IngestBatch.BeginAsync(db, ct);
}
