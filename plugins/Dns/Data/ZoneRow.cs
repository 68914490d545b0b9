namespace Edgeplane.Plugins.Dns.Data;

/// <summary>A row of <c>dns_zones</c>: the zone's name, owner, SOA serial and the index its next record gets.</summary>
public sealed record ZoneRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string TeamId { get; init; } = "";
    public string OwnerUserId { get; init; } = "";
    public long Serial { get; init; }
    public int NextIndex { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>How many zones are below this one (<c>child_zones</c>, -1 while not counted); read only by the record write, not part of <see cref="Columns"/>.</summary>
    public int ChildZones { get; init; }

    public const string Columns = "id AS Id, name AS Name, team_id AS TeamId, owner_user_id AS OwnerUserId, serial AS Serial, " +
        "next_index AS NextIndex, created_at AS CreatedAt, updated_at AS UpdatedAt";
}
