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
        // Loading is independent per plugin (each has its own load context), so it runs in parallel.
        var active = plugins.Where(p => p.IsLive).ToList();
        Parallel.ForEach(active, entry =>
        {
            var clock = Stopwatch.StartNew();
            PluginLoader.Load(entry, Path.Combine(dataDirectory, ".plugin-types", entry.Id));
            entry.LoadTime += clock.Elapsed;
        });
        return Register(builder, active, dataDirectory);
    }

    /// <summary>
    /// Lets each loaded plugin register its services, in discovery order so that the container's last-wins is predictable.
    /// A plugin's settings marked <c>ValidateOnStart</c> are checked as it registers; its services reach the host only
    /// once they passed.
    /// </summary>
    internal static List<Action<ContainerBuilder>> Register(WebApplicationBuilder builder, IEnumerable<PluginEntry> plugins, string dataDirectory)
    {
        var container = new List<Action<ContainerBuilder>>();
        foreach (var entry in plugins.Where(p => p.IsLive))
        {
            var clock = Stopwatch.StartNew();
            if (ConfigureServices(builder, entry, dataDirectory) is { } registrations)
            {
                entry.Advance(PluginState.Registered);
                var early = EarlyServices.Start(entry, registrations.Early);
                if (entry.IsLive) AddToHost(builder, entry, registrations, early, container);
            }
            entry.LoadTime += clock.Elapsed;
        }
        return container;
    }

    private static PluginBuilder? ConfigureServices(WebApplicationBuilder builder, PluginEntry entry, string dataDirectory)
    {
        try
        {
            var registrations = new PluginBuilder(
                entry.Manifest!.ToDescriptor(),
                builder.Configuration.GetSection($"Edgeplane:Plugins:{entry.Id}"),
                builder.Environment,
                Directory.CreateDirectory(Path.Combine(dataDirectory, entry.Id)).FullName);
            entry.Instance!.ConfigureServices(registrations);
            CheckOptions(registrations.Services);
            return registrations;
        }
        catch (Exception e)
        {
            entry.Fail($"registration failed: {PluginLoader.Describe(e)}", e);
            return null;
        }
    }

    private static void AddToHost(WebApplicationBuilder builder, PluginEntry entry, PluginBuilder pluginBuilder, EarlyServices early, List<Action<ContainerBuilder>> container)
    {
        foreach (var descriptor in pluginBuilder.Services.Where(d => d.ServiceType != typeof(IHostedService) && !IsStartupCheck(d)))
            builder.Services.Add(descriptor);
        var hosted = pluginBuilder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        var hostServices = builder.Services;
        // every plugin, with background services or none, goes through Starting to Active once the server listens
        builder.Services.AddSingleton<IHostedService>(sp => new PluginHostedService(
                hosted.Where(d => !RunByHost(hostServices, d)).Select(d => (Func<IHostedService>)(() => Create(sp, d))).ToList(), entry, early,
                sp.GetRequiredService<PluginStartup>(), sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<PluginHostedService>>()));
        container.AddRange(pluginBuilder.ContainerConfiguration);
    }

    // ValidateOnStart registers IStartupValidator and gives its (internal) options one check per options type
    private static readonly Type? StartupValidatorOptions = typeof(IStartupValidator).Assembly.GetType("Microsoft.Extensions.Options.StartupValidatorOptions");

    /// <summary>
    /// A registration of the plugin's startup checks: they ran in <see cref="CheckOptions"/>, so the host does not take them
    /// (its own start would bind and check the plugin's settings again).
    /// </summary>
    private static bool IsStartupCheck(ServiceDescriptor d) =>
        d.ServiceType == typeof(IStartupValidator) || (d.ServiceType.IsConstructedGenericType && d.ServiceType.GenericTypeArguments[0] == StartupValidatorOptions);

    /// <summary>
    /// Checks the plugin's options marked <c>ValidateOnStart</c> now, on its own registrations, so that a bad setting fails
    /// the plugin with the reason (checked with the host's, it would stop the host from starting at all).
    /// </summary>
    private static void CheckOptions(IServiceCollection services)
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
