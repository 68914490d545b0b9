using Autofac.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.Abstractions.Plugins;

/// <summary>What the host hands a plugin while composing the application.</summary>
public interface IPluginBuilder
{
    /// <summary>The plugin's manifest as the host read it.</summary>
    PluginDescriptor Plugin { get; }

    /// <summary>The plugin's own configuration section, <c>Edgeplane:Plugins:{id}</c>.</summary>
    IConfiguration Configuration { get; }

    /// <summary>The host environment (content root, environment name).</summary>
    IHostEnvironment Environment { get; }

    /// <summary>The host's service collection; Scrutor's <c>Scan</c> and <c>Decorate</c> work on it.</summary>
    IServiceCollection Services { get; }

    /// <summary>Adds an Autofac module for registrations the service collection cannot express.</summary>
    void AddAutofacModule(IModule module);
}
