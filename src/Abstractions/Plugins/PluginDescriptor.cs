namespace Edgeplane.Abstractions.Plugins;

/// <summary>A plugin's identity and declared permissions, as read from its <c>plugin.json</c>.</summary>
public sealed record PluginDescriptor(
    string Id,
    string Name,
    string Version,
    string Description,
    IReadOnlyList<PermissionDeclaration> Permissions);
