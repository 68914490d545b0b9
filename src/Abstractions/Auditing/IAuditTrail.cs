namespace Edgeplane.Abstractions.Auditing;

/// <summary>
/// Reads the host's audit trail, for plugins that export evidence. The caller decides what a request may see:
/// pass the caller's team unless it is a host administrator.
/// </summary>
public interface IAuditTrail
{
    /// <summary>Matching entries, oldest first, streamed from the database.</summary>
    IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// What to read. <see cref="Plugin"/> selects the requests served by that plugin's routes and the domain events it
/// recorded through <see cref="IAuditLog"/> (actions named <c>{plugin}.…</c>); <see cref="ActionPrefix"/> narrows by action.
/// Null means no filter. <see cref="Limit"/> caps the rows (default: no cap).
/// </summary>
public sealed record AuditQuery(string? TeamId = null, string? Plugin = null, string? ActionPrefix = null, DateTimeOffset? From = null,
    DateTimeOffset? To = null, int? Limit = null);

/// <summary>One audit entry: who (user, API key, actor name), which team, what (action on target, HTTP status), from where, and details (JSON).</summary>
public sealed record AuditEntry(string Id, DateTimeOffset At, string? UserId, string? ApiKeyId, string? Actor, string? TeamId, string? Plugin,
    string Action, string Target, int? Status, string? SourceAddress, string? Details);
