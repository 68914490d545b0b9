namespace Edgeplane.Abstractions.Auditing;

/// <summary>
/// The host's audit trail. The host already records every state-changing request (who, team,
/// method, route, status, source address); plugins record domain events with more detail here.
/// Who, team, time and source address are taken from the current request.
/// </summary>
public interface IAuditLog
{
    Task RecordAsync(string action, string target, object? details = null, CancellationToken cancellationToken = default);
}
