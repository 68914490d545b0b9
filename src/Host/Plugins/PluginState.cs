namespace Edgeplane.Host.Plugins;

/// <summary>Where a discovered plugin ended up.</summary>
public enum PluginState
{
    /// <summary>Loaded, registered, migrated and mapped.</summary>
    Active,
    /// <summary>Switched off by configuration; not loaded at all.</summary>
    Disabled,
    /// <summary>A step failed; the reason names it.</summary>
    Failed,
    /// <summary>Built for an SDK range that excludes this host's SDK.</summary>
    Incompatible,
}
