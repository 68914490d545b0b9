using System.Data.Common;

namespace Edgeplane.Abstractions.Auditing;

/// <summary>Audit rows written in the caller's transaction (see <see cref="IAuditLog.InTransaction"/>).</summary>
public interface ITransactionAudit
{
    /// <summary>Writes the action's row, and the first time the request's row, in <paramref name="transaction"/>.</summary>
    Task RecordAsync(DbTransaction transaction, string action, string target, object? details = null);
}
