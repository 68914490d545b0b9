namespace Edgeplane.Host.Plugins;

/// <summary>Every plugin the host discovered, with its state; registered as a singleton.</summary>
public sealed class PluginCatalog(IReadOnlyList<PluginEntry> plugins)
{
    public IReadOnlyList<PluginEntry> Plugins { get; } = plugins;

    /// <summary>The plugins that have not failed, been disabled or been refused.</summary>
    public IEnumerable<PluginEntry> Live => Plugins.Where(p => p.IsLive);
}
