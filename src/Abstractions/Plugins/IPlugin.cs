namespace Edgeplane.Abstractions.Plugins;

/// <summary>
/// The entry point of a plugin. The entry assembly named in <c>plugin.json</c> holds exactly one
/// public, non-abstract class implementing it, with a public parameterless constructor.
/// </summary>
public interface IPlugin
{
    /// <summary>Registers the plugin's services. Route modules are found by scanning; migrations are embedded scripts.</summary>
    void ConfigureServices(IPluginBuilder builder);
}
