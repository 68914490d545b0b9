namespace Edgeplane.Plugins.Dns.Data;

/// <summary>A row of <c>dns_zone_users</c>: a user the zone is shared with, and since when.</summary>
public sealed record ZoneUserRow
{
    public string UserId { get; init; } = "";
    public DateTimeOffset AddedAt { get; init; }
}
