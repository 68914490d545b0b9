namespace Edgeplane.Host.Plugins;

/// <summary>Every plugin the host discovered, with its state; registered as a singleton.</summary>
public sealed class PluginCatalog(IReadOnlyList<PluginEntry> plugins)
{
    public IReadOnlyList<PluginEntry> Plugins { get; } = plugins;

    public IEnumerable<PluginEntry> Active => Plugins.Where(p => p.IsActive);
}
