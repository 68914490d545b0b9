namespace Edgeplane.Abstractions.Plugins;

/// <summary>
/// A permission a plugin declares, such as <c>dns.zones.write</c>. Every role at or above
/// <see cref="Role"/> holds it (<c>viewer</c> &lt; <c>operator</c> &lt; <c>admin</c>).
/// </summary>
public sealed record PermissionDeclaration(string Name, string Role, string Description = "");
