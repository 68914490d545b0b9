using System.Data.Common;
using System.Text.Json;
using Edgeplane.Abstractions.Auditing;

namespace Edgeplane.Host.Auditing;

/// <summary>
/// Audit rows a plugin writes in its own transaction (<see cref="IAuditLog.InTransaction"/>), with who and where from the
/// request that asked. Also the request's feature that tells <see cref="AuditMiddleware"/> the request's row is written.
/// </summary>
public sealed class TransactionAudit(AuditRecord caller, AuditRecord? request, int answeredWith, TimeProvider clock) : ITransactionAudit
{
    /// <summary>The status the request's row was written with.</summary>
    public int AnsweredWith => answeredWith;

    /// <summary>Whether the request's row was written (it counts only when the request is answered with <see cref="AnsweredWith"/>).</summary>
    public bool RequestWritten { get; private set; }

    public async Task RecordAsync(DbTransaction transaction, string action, string target, object? details = null)
    {
        var connection = transaction.Connection ?? throw new InvalidOperationException("the transaction has completed");
        var row = caller.Stamped(clock);
        row.Action = action;
        row.Target = target;
        row.Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web);
        await AuditWriter.InsertAsync(connection, transaction, row);
        if (request is null || RequestWritten) return;
        await AuditWriter.InsertAsync(connection, transaction, request.Stamped(clock));
        RequestWritten = true;
    }
}
