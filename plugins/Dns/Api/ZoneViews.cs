using System.Text.Json.Serialization;
using Edgeplane.Plugins.Dns.Data;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>A zone as the API shows it.</summary>
public sealed record ZoneView(string Id, string Zone, long Serial, string TeamId, string OwnerUserId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ZoneView From(ZoneRow z) => new(z.Id, z.Name, z.Serial, z.TeamId, z.OwnerUserId, z.CreatedAt, z.UpdatedAt);
}

public sealed record ZoneList(IReadOnlyList<ZoneView> Zones);

/// <summary>The zone's owner (<c>role</c> <c>owner</c>) and the users it is shared with (<c>user</c>, with <c>addedAt</c>).</summary>
public sealed record ZoneUsers(string Zone, IReadOnlyList<ZoneUserView> Users);

public sealed record ZoneUserView(string UserId, string? Username, string Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? AddedAt = null);

/// <summary>What an action did, in words (<c>{"message": "zone example.com deleted"}</c>).</summary>
public sealed record Done(string Message);
