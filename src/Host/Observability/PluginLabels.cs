using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Observability;

/// <summary>A unique name per discovered plugin: its id, or <c>id@folder</c> when two folders claim one id.</summary>
internal static class PluginLabels
{
    public static IEnumerable<(PluginEntry Entry, string Label)> For(PluginCatalog catalog)
    {
        var ids = catalog.Plugins.GroupBy(p => p.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return catalog.Plugins.Select(p => (p, ids.Contains(p.Id) ? $"{p.Id}@{Path.GetFileName(p.Folder)}" : p.Id));
    }
}
