using Edgeplane.Abstractions.Data;

namespace Edgeplane.Host.Auditing;

/// <summary>One row of the audit trail.</summary>
public sealed class AuditRecord
{
    public string Id { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string? UserId { get; set; }
    public string? ApiKeyId { get; set; }
    public string? Actor { get; set; }
    public string? TeamId { get; set; }
    public string? Plugin { get; set; }
    public string Action { get; set; } = "";
    public string Target { get; set; } = "";
    public int? Status { get; set; }
    public string? SourceAddress { get; set; }
    public string? Details { get; set; }

    /// <summary>A copy with a new id and the current time.</summary>
    public AuditRecord Stamped(TimeProvider clock)
    {
        var copy = (AuditRecord)MemberwiseClone();
        copy.Id = Ids.New();
        copy.At = clock.GetUtcNow();
        return copy;
    }
}
