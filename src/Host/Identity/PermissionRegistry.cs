using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>Every permission declared by the host and the active plugins, and the lowest role that holds it.</summary>
public sealed class PermissionRegistry
{
    /// <summary>The host's own permissions.</summary>
    public static readonly IReadOnlyList<PermissionDeclaration> HostPermissions =
    [
        new("host.plugins.read", Roles.Admin, "List plugins and their states"),
        new("host.audit.read", Roles.Admin, "Export the audit trail of the caller's team"),
        new("host.teams.read", Roles.Viewer, "See the caller's team and its members"),
        new("host.members.write", Roles.Admin, "Add, change and remove members of the caller's team"),
    ];

    private readonly Dictionary<string, int> _minimumRank = new(StringComparer.Ordinal);

    public PermissionRegistry(IEnumerable<PermissionDeclaration> declarations)
    {
        foreach (var d in HostPermissions.Concat(declarations))
            _minimumRank[d.Name] = Roles.Rank(d.Role);
    }

    public bool IsDeclared(string permission) => _minimumRank.ContainsKey(permission);

    public bool Grants(string? role, string permission) =>
        role is not null && _minimumRank.TryGetValue(permission, out var minimum) && Roles.Rank(role) >= minimum;

    public IReadOnlyList<string> For(string role) =>
        _minimumRank.Where(p => Roles.Rank(role) >= p.Value).Select(p => p.Key).Order().ToList();
}
