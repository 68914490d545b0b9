using Autofac.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Abstractions.Plugins;

/// <summary>What the host hands a plugin while composing the application: its context, and the host's services to register on.</summary>
public interface IPluginBuilder : IPluginContext
{
    /// <summary>The host's service collection; Scrutor's <c>Scan</c> and <c>Decorate</c> work on it.</summary>
    IServiceCollection Services { get; }

    /// <summary>Adds an Autofac module for registrations the service collection cannot express.</summary>
    void AddAutofacModule(IModule module);
}
