using System.Diagnostics;
using Autofac;
using Edgeplane.Host.Plugins;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edgeplane.Host.Composition;

/// <summary>Loads each selected plugin and lets it register its services, one guarded step at a time.</summary>
public static class PluginComposition
{
    /// <param name="dataDirectory">The host's data directory: each plugin gets its own folder in it, named by its id.</param>
    public static List<Action<ContainerBuilder>> LoadAndRegister(WebApplicationBuilder builder, IEnumerable<PluginEntry> plugins, string dataDirectory)
    {
        // Loading is independent per plugin (each has its own load context), so it runs in parallel;
        // registration stays in discovery order, so that the container's last-wins is predictable.
        var active = plugins.Where(p => p.IsLive).ToList();
        Parallel.ForEach(active, entry =>
        {
            var clock = Stopwatch.StartNew();
            PluginLoader.Load(entry);
            entry.LoadTime += clock.Elapsed;
        });
        var container = new List<Action<ContainerBuilder>>();
        foreach (var entry in active.Where(p => p.IsLive))
        {
            var clock = Stopwatch.StartNew();
            Register(builder, entry, container, dataDirectory);
            entry.LoadTime += clock.Elapsed;
        }
        return container;
    }

    private static void Register(WebApplicationBuilder builder, PluginEntry entry, List<Action<ContainerBuilder>> container, string dataDirectory)
    {
        PluginBuilder pluginBuilder;
        try
        {
            pluginBuilder = new PluginBuilder(
                entry.Manifest!.ToDescriptor(),
                builder.Configuration.GetSection($"Edgeplane:Plugins:{entry.Id}"),
                builder.Environment,
                Directory.CreateDirectory(Path.Combine(dataDirectory, entry.Id)).FullName);
            entry.Instance!.ConfigureServices(pluginBuilder);
            ValidateOptions(pluginBuilder.Services);
        }
        catch (Exception e)
        {
            entry.Fail($"registration failed: {PluginLoader.Describe(e)}", e);
            return;
        }
        entry.Advance(PluginState.Registered);
        foreach (var descriptor in pluginBuilder.Services.Where(d => d.ServiceType != typeof(IHostedService)))
            builder.Services.Add(descriptor);
        var hosted = pluginBuilder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        var hostServices = builder.Services;
        // every plugin, with background services or none, goes through Starting to Active once the server listens
        builder.Services.AddSingleton<IHostedService>(sp => new PluginHostedService(
                hosted.Where(d => !RunByHost(hostServices, d)).Select(d => (Func<IHostedService>)(() => Create(sp, d))).ToList(), entry,
                sp.GetRequiredService<PluginStartup>(), sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<PluginHostedService>>()));
        container.AddRange(pluginBuilder.ContainerConfiguration);
    }

    /// <summary>
    /// Checks the plugin's options marked <c>ValidateOnStart</c> now, on its own registrations, so that a bad setting fails
    /// the plugin with the reason (checked with the host's, it would stop the host from starting at all).
    /// </summary>
    private static void ValidateOptions(IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(IStartupValidator))) return;
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>
    /// Whether the host itself runs a plugin's hosted service type, such as the health-check publisher that
    /// <c>AddHealthChecks()</c> registers: then there is one instance, the host's, not one more per plugin.
    /// </summary>
    internal static bool RunByHost(IServiceCollection hostServices, ServiceDescriptor pluginHosted) =>
        pluginHosted.ImplementationType is { } type
        && hostServices.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == type);

    private static IHostedService Create(IServiceProvider services, ServiceDescriptor d) =>
        (IHostedService)(d.ImplementationInstance
            ?? d.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, d.ImplementationType!));

    public static void Configure(ContainerBuilder container, IEnumerable<Action<ContainerBuilder>> configuration)
    {
        foreach (var configure in configuration) configure(container);
    }
}
