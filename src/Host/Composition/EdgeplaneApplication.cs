using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autofac.Extensions.DependencyInjection;
using Edgeplane.Host.Auditing;
using Edgeplane.Host.Data;
using Edgeplane.Host.Identity;
using Edgeplane.Host.Observability;
using Edgeplane.Host.OpenApi;
using Edgeplane.Host.Operations;
using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Composition;

/// <summary>
/// Builds the host: discover, load, register, migrate, map, each step guarded per plugin.
/// <c>Edgeplane.Host migrate</c> applies migrations and exits without serving.
/// </summary>
public static class EdgeplaneApplication
{
    public static async Task<int> RunAsync(string[] args)
    {
        var migrateOnly = args.FirstOrDefault() == "migrate";
        var app = await BuildAsync(migrateOnly ? args[1..] : args);
        if (migrateOnly)
        {
            var failed = app.Services.GetRequiredService<PluginCatalog>().Plugins.Any(p => p.State == PluginState.Failed);
            return failed ? 1 : 0;
        }
        await app.RunAsync();
        return 0;
    }

    public static async Task<WebApplication> BuildAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        HostDefaults.Apply(builder.Configuration);
        var options = EdgeplaneOptions.From(builder.Configuration, builder.Environment.ContentRootPath);
        var plugins = PluginDiscovery.Discover(builder.Configuration, options.PluginDirectories);
        var autofacModules = PluginComposition.LoadAndRegister(builder, plugins);

        builder.WebHost.UseUrls(ListenUrls.For(builder.Configuration, plugins));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Edgeplane:MaxRequestBodyBytes") ?? 10 * 1024 * 1024);
        // Autofac composes the host when a plugin brings an Autofac module (or Edgeplane:UseAutofac says so);
        // otherwise the platform's container, which costs a third of the CPU per request (bench/host).
        if (autofacModules.Count > 0 || builder.Configuration.GetValue<bool>("Edgeplane:UseAutofac"))
            builder.Host.UseServiceProviderFactory(new AutofacServiceProviderFactory(c => PluginComposition.RegisterModules(c, autofacModules)));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PluginCatalog(plugins));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.AddEdgeplanePlatform(options, plugins);
        builder.Services.AddEdgeplaneObservability();
        builder.Services.AddEdgeplaneOpenApi();

        var app = builder.Build();
        await MigrateAsync(app, plugins);
        await app.Services.GetRequiredService<Bootstrap>().RunAsync(CancellationToken.None);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<DedicatedListenerGuard>();
        app.UseEdgeplaneObservability();
        app.UseEdgeplanePlatform();
        app.MapOperations();
        app.MapIdentity();
        app.MapAudit();
        app.MapEdgeplaneObservability();
        app.MapEdgeplaneOpenApi();
        await MapPluginsAsync(app, plugins);
        return app;
    }

    private static async Task MigrateAsync(WebApplication app, IReadOnlyList<PluginEntry> plugins)
    {
        var connections = app.Services.GetRequiredService<DbConnectionFactory>();
        var runner = app.Services.GetRequiredService<MigrationRunner>();
        await connections.PrepareAsync();
        await runner.ApplyAsync("host", Migration.From(typeof(EdgeplaneApplication).Assembly));
        foreach (var entry in plugins.Where(p => p.IsActive))
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await runner.ApplyAsync(entry.Id, Migration.From(entry.Assembly!));
            }
            catch (Exception e) when (e is MigrationException or InvalidOperationException)
            {
                entry.Fail(e.Message);
            }
            entry.LoadTime += clock.Elapsed;
        }
    }

    /// <summary>
    /// Maps each plugin's routes, then builds every plugin's endpoints in parallel: building request
    /// delegates is most of a start's CPU time, and a handler that cannot be bound fails only its plugin.
    /// </summary>
    private static async Task MapPluginsAsync(WebApplication app, IReadOnlyList<PluginEntry> plugins)
    {
        var mapped = new List<(PluginEntry Entry, IReadOnlyList<ServedEndpointDataSource> Sources)>();
        foreach (var entry in plugins.Where(p => p.IsActive))
        {
            var clock = Stopwatch.StartNew();
            try
            {
                mapped.Add((entry, PluginRouteMapper.Map(app, entry)));
            }
            catch (Exception e)
            {
                entry.Fail($"route mapping failed: {PluginLoader.Describe(e)}");
            }
            entry.LoadTime += clock.Elapsed;
        }
        await Task.WhenAll(mapped.Select(m => Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                foreach (var source in m.Sources) source.Build();
            }
            catch (Exception e)
            {
                foreach (var source in m.Sources) source.Withdraw();
                m.Entry.Fail($"route mapping failed: {PluginLoader.Describe(e)}");
            }
            m.Entry.LoadTime += clock.Elapsed; // one task per plugin
        })));
        foreach (var entry in plugins)
            app.Logger.LogInformation("Plugin {PluginId} {Version}: {State} in {LoadMs:F0} ms at {Mount}{Reason}",
                entry.Id, entry.Version, entry.State, entry.LoadTime.TotalMilliseconds, string.Join(", ", entry.Mounts), entry.Reason is null ? "" : $" ({entry.Reason})");
    }
}
