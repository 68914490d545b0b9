namespace Edgeplane.Plugins.Dns.Api;

public sealed record AdminView(bool Admin, string? Username);

public sealed record AclView(IReadOnlyList<string> Acl);

public sealed record AclUpdated(string Message, IReadOnlyList<string> Acl);

public sealed record Counters(int Nodes, int ActiveNodes, int Locations);

public sealed record GeolocList(IReadOnlyList<Geoloc> Nodes);

public sealed record Geoloc(string Name, string Location, double? Latitude, double? Longitude, bool Enabled);

public sealed record SignedUp(string Message, string Id, string Username);

/// <summary>A login: the user's login key (shown once), its id, the user, the user's personal team and when the key expires.</summary>
public sealed record LoggedIn(string Message, string Key, string KeyId, string UserId, string TeamId, DateTimeOffset? ExpiresAt);
