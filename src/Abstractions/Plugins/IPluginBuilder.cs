using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    /// <summary>
    /// Starts <paramref name="service"/> as soon as the plugin has registered (its settings checked), while the host goes on
    /// starting — before the container is built, the migrations run and the server listens — for work that must not wait for
    /// the whole host (a DNS server answering from a persisted snapshot). It takes nothing from the container. The host
    /// stops it when the plugin fails at a later step or while running (a <see cref="BackgroundService"/> of it that fails
    /// fails the plugin) and when the host stops. Returns whether the host started it: a host without early starts (this
    /// default) returns <c>false</c>, and the plugin registers it as an ordinary hosted service instead.
    /// </summary>
    bool StartEarly(IHostedService service) => false;
}
