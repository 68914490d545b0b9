namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>A row of <c>rollouts_devices</c>; labels, attributes, software and health are JSON columns.</summary>
public sealed class DeviceRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string DeviceType { get; set; } = "";
    public string Labels { get; set; } = "{}";
    public string Attributes { get; set; } = "{}";
    public string Software { get; set; } = "[]";
    public string InventoryHash { get; set; } = "";
    public string HealthStatus { get; set; } = "";
    public string Health { get; set; } = "{}";
    public string AgentVersion { get; set; } = "";
    public string? EnrollTokenId { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset? LastHistoryAt { get; set; }
    public long CheckIns { get; set; }
    public string? CertificateSerial { get; set; }
    public DateTimeOffset? CertificateNotAfter { get; set; }
}

public sealed record SoftwareItem(string Name, string Version);

public sealed record HealthView(string Status, string Message, long UptimeSeconds, double CpuPercent, double MemoryPercent, double DiskPercent)
{
    public HealthView() : this("unknown", "", 0, 0, 0, 0) { }
}
