namespace Edgeplane.Host.Plugins;

/// <summary>Marks an endpoint as belonging to a plugin (for metrics, audit and the API description).</summary>
public sealed record PluginEndpointMetadata(string PluginId);
