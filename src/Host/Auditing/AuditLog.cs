using System.Text.Json;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Auditing;

/// <summary>The SDK's audit log: one row per recorded action, with who and where from the current request.</summary>
public sealed class AuditLog(AuditWriter writer, ICaller caller, TimeProvider clock, IHttpContextAccessor requests) : IAuditLog
{
    public Task RecordAsync(string action, string target, object? details = null, CancellationToken cancellationToken = default) =>
        WriteAsync(new AuditRecord
        {
            Action = action,
            Target = target,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        }, cancellationToken);

    /// <summary>Writes a record, filling who, team, time and source from the current caller.</summary>
    public Task WriteAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
        writer.WriteAsync(Identify(record).Stamped(clock), cancellationToken);

    public ITransactionAudit InTransaction(int answeredWith)
    {
        var request = requests.HttpContext;
        var audit = new TransactionAudit(Identify(new AuditRecord()), request is null ? null : Identify(AuditMiddleware.RequestRow(request, answeredWith)), answeredWith, clock);
        request?.Features.Set(audit);
        return audit;
    }

    private AuditRecord Identify(AuditRecord record)
    {
        record.UserId ??= caller.UserId;
        record.ApiKeyId ??= caller.ApiKeyId;
        record.Actor ??= caller.Username;
        record.TeamId ??= caller.TeamId;
        record.SourceAddress ??= caller.SourceAddress;
        return record;
    }
}
