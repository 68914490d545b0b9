using Edgeplane.Plugins.Dns.Data;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>A DNS node as the API shows it.</summary>
public sealed record NodeView(string Id, string Name, string Address, int Port, string Location, double? Latitude, double? Longitude, bool Enabled, DateTimeOffset CreatedAt)
{
    public static NodeView From(NodeRow n) => new(n.Id, n.Name, n.Address, n.Port, n.Location, n.Latitude, n.Longitude, n.Enabled, n.CreatedAt);
}

public sealed record NodeList(IReadOnlyList<NodeView> Nodes);

public sealed record Stats(long Nodes, long Zones, long Records, int Users);

public sealed record UserView(string Id, string Username, bool Enabled, bool Admin, DateTimeOffset CreatedAt);

public sealed record UserList(IReadOnlyList<UserView> Users);

public sealed record UserToggled(string Message, string Id, string Username, bool Enabled);

public sealed record UserAclCleared(string Id, string Username, IReadOnlyList<string> Acl);
