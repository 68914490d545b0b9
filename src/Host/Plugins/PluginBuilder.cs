using Autofac;
using Edgeplane.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Collects one plugin's registrations apart from the host's, so that a plugin whose
/// <see cref="IPlugin.ConfigureServices"/> throws leaves nothing behind.
/// </summary>
public sealed class PluginBuilder(PluginDescriptor plugin, IConfiguration configuration, IHostEnvironment environment, string dataDirectory) : IPluginBuilder
{
    private readonly List<Action<ContainerBuilder>> _container = [];
    private readonly List<IHostedService> _early = [];

    public PluginDescriptor Plugin { get; } = plugin;
    public IConfiguration Configuration { get; } = configuration;
    public IHostEnvironment Environment { get; } = environment;
    public string DataDirectory { get; } = dataDirectory;
    public IServiceCollection Services { get; } = new ServiceCollection();
    public IReadOnlyList<Action<ContainerBuilder>> ContainerConfiguration => _container;

    /// <summary>The services the plugin asked to start early; the host starts them once the plugin has registered (<see cref="EarlyServices"/>).</summary>
    public IReadOnlyList<IHostedService> Early => _early;

    public bool StartEarly(IHostedService service)
    {
        _early.Add(service);
        return true;
    }

    public void ConfigureContainer<TContainerBuilder>(Action<TContainerBuilder> configure) where TContainerBuilder : notnull =>
        _container.Add(configure as Action<ContainerBuilder> ?? throw new NotSupportedException(
            $"The host composes with Autofac: ConfigureContainer takes Autofac's ContainerBuilder, not {typeof(TContainerBuilder).FullName}."));
}
