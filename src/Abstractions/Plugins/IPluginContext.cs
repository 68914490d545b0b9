using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.Abstractions.Plugins;

/// <summary>What a plugin knows about itself and where it runs. The host hands it over with <see cref="IPluginBuilder"/>.</summary>
public interface IPluginContext
{
    /// <summary>The plugin's manifest as the host read it.</summary>
    PluginDescriptor Plugin { get; }

    /// <summary>The plugin's own configuration section, <c>Edgeplane:Plugins:{id}</c>.</summary>
    IConfiguration Configuration { get; }

    /// <summary>The host environment (content root, environment name).</summary>
    IHostEnvironment Environment { get; }

    /// <summary>
    /// The plugin's own folder for the files it keeps (keys, state, caches): <c>{Edgeplane:DataDirectory}/{id}</c>,
    /// an absolute path, created before the plugin registers. Shared by the host instances that share the data
    /// directory; the database, not this folder, is what host instances on different machines share.
    /// </summary>
    string DataDirectory { get; }
}
