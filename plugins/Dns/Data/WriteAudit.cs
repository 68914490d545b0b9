using System.Data.Common;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>
/// The audit row a record write leaves (<see cref="ZoneStore.WriteRecordsAsync"/>): the store writes it in the write's
/// own transaction through <paramref name="Trail"/> (<see cref="IAuditLog.InTransaction"/>, taken in the request), so the
/// change and its trail commit together. <paramref name="Details"/> reads what the write did.
/// </summary>
public sealed record WriteAudit(ITransactionAudit Trail, string Action, string Target, Func<ZoneStore.RecordWrite, object?> Details)
{
    internal Task RecordAsync(DbTransaction tx, ZoneStore.RecordWrite write) => Trail.RecordAsync(tx, Action, Target, Details(write));
}
