namespace Edgeplane.Abstractions.Auditing;

/// <summary>
/// The host's audit trail. The host already records every state-changing request (who, team,
/// method, route, status, source address); plugins record domain events with more detail here.
/// Who, team, time and source address are taken from the current request.
/// </summary>
public interface IAuditLog
{
    Task RecordAsync(string action, string target, object? details = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// For a change the plugin writes in a transaction of its own on the host's database (a group commit, say): its
    /// audit rows are written inside that transaction, so the change and its trail commit together, or neither, with
    /// no commit of their own. Call this in the request (it takes who, team, source and the route now); write with
    /// <see cref="ITransactionAudit.RecordAsync"/> inside the transaction. The request's own row is written there too,
    /// with the status <paramref name="answeredWith"/>; when the request is answered so, the host does not write it
    /// again (answered otherwise, for instance because the commit failed, the host records the request as usual).
    /// </summary>
    ITransactionAudit InTransaction(int answeredWith);
}
