using System.Diagnostics;
using System.Text.Json.Serialization;
using Autofac.Extensions.DependencyInjection;
using Edgeplane.Host.Observability;
using Edgeplane.Host.OpenApi;
using Edgeplane.Host.Operations;
using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Composition;

/// <summary>Builds the host: discover, load, register, then map, each step guarded per plugin.</summary>
public static class EdgeplaneApplication
{
    public static async Task<int> RunAsync(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = EdgeplaneOptions.From(builder.Configuration, builder.Environment.ContentRootPath);
        var plugins = PluginDiscovery.Discover(builder.Configuration, options.PluginDirectories);
        var autofacModules = PluginComposition.LoadAndRegister(builder, plugins);

        builder.WebHost.UseUrls(ListenUrls.For(builder.Configuration, plugins));
        builder.Host.UseServiceProviderFactory(new AutofacServiceProviderFactory(c => PluginComposition.RegisterModules(c, autofacModules)));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PluginCatalog(plugins));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        builder.Services.AddEdgeplaneObservability();
        builder.Services.AddEdgeplaneOpenApi();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseEdgeplaneObservability();
        app.MapOperations();
        app.MapEdgeplaneObservability();
        app.MapEdgeplaneOpenApi();
        MapPlugins(app, plugins);
        return app;
    }

    private static void MapPlugins(WebApplication app, IReadOnlyList<PluginEntry> plugins)
    {
        foreach (var entry in plugins.Where(p => p.IsActive))
        {
            var clock = Stopwatch.StartNew();
            try
            {
                PluginRouteMapper.Map(app, entry);
            }
            catch (Exception e)
            {
                entry.Fail($"route mapping failed: {PluginLoader.Describe(e)}");
            }
            entry.LoadTime += clock.Elapsed;
        }
        foreach (var entry in plugins)
            app.Logger.LogInformation("Plugin {PluginId} {Version}: {State} in {LoadMs:F0} ms at {Mount}{Reason}",
                entry.Id, entry.Version, entry.State, entry.LoadTime.TotalMilliseconds, entry.Mount, entry.Reason is null ? "" : $" ({entry.Reason})");
    }
}
