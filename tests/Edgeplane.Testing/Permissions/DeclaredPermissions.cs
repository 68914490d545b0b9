using System.Text.Json.Nodes;

namespace Edgeplane.Testing.Permissions;

/// <summary>The lowest role that holds each permission, as the plugin manifests (<c>plugin.json</c>) declare it.</summary>
public static class DeclaredPermissions
{
    public static Dictionary<string, string> FromManifests(string pluginDirectory)
    {
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var manifest in Directory.EnumerateFiles(pluginDirectory, "plugin.json", SearchOption.AllDirectories))
            foreach (var permission in JsonNode.Parse(File.ReadAllText(manifest))!["permissions"]?.AsArray() ?? [])
                roles[(string)permission!["name"]!] = (string)permission["role"]!;
        return roles;
    }
}
