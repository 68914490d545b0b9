using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Abstractions.Plugins;

/// <summary>What the host hands a plugin while composing the application: its context, and the host's services to register on.</summary>
public interface IPluginBuilder : IPluginContext
{
    /// <summary>The host's service collection (Scrutor's <c>Scan</c> and <c>Decorate</c> work on it for a plugin that references Scrutor).</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// Configures the host's container for registrations the service collection cannot express. The host composes
    /// with Autofac when a plugin asks for it, so <typeparamref name="TContainerBuilder"/> is Autofac's
    /// <c>ContainerBuilder</c> (the plugin references Autofac itself; the host shares its copy); any other type is refused.
    /// </summary>
    void ConfigureContainer<TContainerBuilder>(Action<TContainerBuilder> configure) where TContainerBuilder : notnull;
}
