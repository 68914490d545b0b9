using System.Text.Json;
using System.Text.RegularExpressions;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Plugins;

/// <summary>The contents of a plugin folder's <c>plugin.json</c>.</summary>
public sealed partial record PluginManifest(
    string Id,
    string Name,
    string Version,
    string EntryAssembly,
    string Sdk,
    string Description,
    IReadOnlyList<PermissionDeclaration> Permissions,
    IReadOnlyList<string> CredentialHeaders,
    IReadOnlyList<string>? Profiles = null)
{
    public const string FileName = "plugin.json";

    public VersionRange SdkRange => VersionRange.TryParse(Sdk, out var r) ? r : throw new InvalidOperationException("validated at read");

    /// <summary>Whether the plugin serves the wire contract <paramref name="profile"/> (every plugin serves its native one).</summary>
    public bool Provides(string profile) => profile == ApiProfiles.Native || (Profiles ?? []).Contains(profile);

    public PluginDescriptor ToDescriptor() => new(Id, Name, Version, Description, Permissions);

    /// <summary>Reads and validates a manifest; the exception message is the one-line reason.</summary>
    public static PluginManifest Read(string path)
    {
        PluginManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllText(path), PluginManifestJson.Default.PluginManifest);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"plugin.json is not valid JSON: {e.Message}");
        }
        if (manifest is null) throw new InvalidDataException("plugin.json is empty");
        return manifest.Validated();
    }

    private PluginManifest Validated()
    {
        Require(Id is not null && IdPattern().IsMatch(Id), "id", "must be 2-32 characters of a-z, 0-9 and '-', starting with a letter");
        Require(!string.IsNullOrWhiteSpace(Name), "name", "is required");
        Require(!string.IsNullOrWhiteSpace(Version) && System.Version.TryParse(Version.Split('-')[0], out _), "version", "must be a version such as 1.2.0");
        Require(!string.IsNullOrWhiteSpace(EntryAssembly) && EntryAssembly.EndsWith(".dll", StringComparison.Ordinal)
                && Path.GetFileName(EntryAssembly) == EntryAssembly, "entryAssembly", "must be a .dll file name in the plugin folder");
        Require(VersionRange.TryParse(Sdk, out _), "sdk", "must be a version range with both bounds, such as [2.0,3.0)");
        foreach (var p in Permissions ?? [])
        {
            Require(p.Name is not null && p.Name.StartsWith(Id + ".", StringComparison.Ordinal), "permissions", $"'{p.Name}' must start with '{Id}.'");
            Require(Roles.Rank(p.Role ?? "") >= 0, "permissions", $"'{p.Name}' has role '{p.Role}'; use viewer, operator or admin");
        }
        return this with
        {
            Description = Description ?? "",
            Permissions = Permissions ?? [],
            CredentialHeaders = CredentialHeaders ?? [],
            Profiles = Profiles ?? [],
        };
    }

    private static void Require(bool condition, string field, string problem)
    {
        if (!condition) throw new InvalidDataException($"plugin.json '{field}' {problem}");
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,31}$")]
    private static partial Regex IdPattern();
}
