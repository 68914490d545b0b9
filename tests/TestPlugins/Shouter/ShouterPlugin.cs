using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.TestPlugins.Shouter;

public sealed class ShouterPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder) { }
}
