namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

public sealed record DeviceView(string Id, string Name, string DeviceType, Dictionary<string, string> Labels, Dictionary<string, string> Attributes,
    List<SoftwareItem> Software, string Status, HealthView Health, string AgentVersion, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt,
    long CheckIns, string? CertificateSerial, DateTimeOffset? CertificateNotAfter)
{
    public static DeviceView From(DeviceRow d, DateTimeOffset onlineSince) => new(d.Id, d.Name, d.DeviceType, Json.Map(d.Labels), Json.Map(d.Attributes),
        System.Text.Json.JsonSerializer.Deserialize<List<SoftwareItem>>(d.Software, Json.Options) ?? [], StatusOf(d, onlineSince),
        Json.Read<HealthView>(d.Health), d.AgentVersion, d.EnrolledAt, d.LastSeenAt, d.CheckIns, d.CertificateSerial, d.CertificateNotAfter);

    /// <summary><c>pending</c> (never checked in), <c>online</c> (seen within three check-in intervals) or <c>offline</c>.</summary>
    public static string StatusOf(DeviceRow d, DateTimeOffset onlineSince) =>
        d.LastSeenAt is null ? "pending" : d.LastSeenAt >= onlineSince ? "online" : "offline";
}
