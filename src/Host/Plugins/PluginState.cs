namespace Edgeplane.Host.Plugins;

/// <summary>
/// Where a plugin is in its life. A plugin moves forward one step at a time, in this order, from
/// <see cref="Discovered"/> to <see cref="Active"/>; at any step it may leave the line as <see cref="Failed"/>,
/// and before loading as <see cref="Disabled"/> or <see cref="Incompatible"/>. A plugin that left the line
/// never comes back until the host restarts.
/// </summary>
public enum PluginState
{
    /// <summary>Its manifest was read and the operator's selection keeps it.</summary>
    Discovered,
    /// <summary>Its entry assembly is loaded in its own context and its plugin class created.</summary>
    Loaded,
    /// <summary>Its services are registered in the host's container.</summary>
    Registered,
    /// <summary>Its migrations are applied.</summary>
    Migrated,
    /// <summary>Its endpoints are built and handed to routing; it serves once the server listens.</summary>
    Mapped,
    /// <summary>The server listens and serves its routes; its background services are starting.</summary>
    Starting,
    /// <summary>Serving, with every background service started.</summary>
    Active,
    /// <summary>Switched off by configuration; not loaded at all.</summary>
    Disabled,
    /// <summary>A step failed, at startup or later (a background service that failed); the reason names it. Its routes answer 503.</summary>
    Failed,
    /// <summary>Built for an SDK that this host's SDK does not provide. Its routes answer 503.</summary>
    Incompatible,
}
