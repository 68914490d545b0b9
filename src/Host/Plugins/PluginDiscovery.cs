using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Routing;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Finds plugin folders, reads their manifests and applies the operator's selection. A folder in a plugin
/// directory without a <c>plugin.json</c> is no plugin: it is named in <paramref name="strayFolders"/> (the
/// host logs a warning), since it is most often a plugin copied without its manifest.
/// </summary>
public static class PluginDiscovery
{
    public static List<PluginEntry> Discover(IConfiguration configuration, IEnumerable<string> directories, ICollection<string>? strayFolders = null)
    {
        var entries = new List<PluginEntry>();
        foreach (var folder in directories.Where(Directory.Exists).SelectMany(Directory.EnumerateDirectories).Order(StringComparer.Ordinal))
        {
            var manifestPath = Path.Combine(folder, PluginManifest.FileName);
            if (!File.Exists(manifestPath))
            {
                strayFolders?.Add(folder);
                continue;
            }
            entries.Add(Read(folder, manifestPath, configuration, entries));
        }
        return entries;
    }

    private static PluginEntry Read(string folder, string manifestPath, IConfiguration configuration, List<PluginEntry> seen)
    {
        PluginManifest manifest;
        try
        {
            manifest = PluginManifest.Read(manifestPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            var broken = new PluginEntry(folder, Path.GetFileName(folder));
            broken.Fail(e.Message, e);
            return broken;
        }

        var entry = new PluginEntry(folder, manifest.Id) { Manifest = manifest };
        var section = configuration.GetSection($"Edgeplane:Plugins:{manifest.Id}");
        var duplicate = seen.FirstOrDefault(e => e.Id == manifest.Id && e.Manifest is not null);
        if (duplicate is not null)
            entry.Fail($"duplicate plugin id '{manifest.Id}': already provided by {duplicate.Folder}");
        else if (!section.GetValue("Enabled", true))
            entry.Disable();
        else if (!manifest.SdkRange.Contains(SdkInfo.Version))
            entry.MarkIncompatible($"supports SDK {manifest.Sdk}; this host provides SDK {SdkInfo.Version.ToString(3)}");

        try
        {
            entry.Mounts = PluginMount.FromConfiguration(section, manifest.Id);
            if (entry.Mounts.FirstOrDefault(m => !manifest.Provides(m.Profile)) is { } unknown)
                entry.Fail($"mount '{unknown}' asks for profile '{unknown.Profile}', which plugin '{manifest.Id}' does not provide " +
                    $"(it provides: {string.Join(", ", manifest.Profiles!.Prepend(ApiProfiles.Native))})");
        }
        catch (FormatException e)
        {
            entry.Fail(e.Message);
        }
        return entry;
    }
}
