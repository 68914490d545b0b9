namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>The device a request's client certificate belongs to, with what a check-in compares against.</summary>
public sealed record DeviceIdentity(string DeviceId, string TeamId, string Name, string Serial, DateTimeOffset NotAfter)
{
    public string InventoryHash { get; init; } = "";
    public string HealthStatus { get; init; } = "";
    public DateTimeOffset? LastHistoryAt { get; init; }
    public long PendingLogs { get; init; }
}
