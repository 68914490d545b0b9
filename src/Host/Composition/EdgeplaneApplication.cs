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
/// <c>Edgeplane.Host migrate</c> applies migrations and exits without serving;
/// <c>Edgeplane.Host check-plugin &lt;folder&gt;</c> checks one plugin folder without serving (<see cref="PluginCheck"/>).
/// </summary>
public static class EdgeplaneApplication
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.FirstOrDefault() == "check-plugin") return await PluginCheck.RunAsync(args[1..]);
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

    /// <param name="bootstrap">Whether a first run creates the first admin (not when only checking a plugin).</param>
    public static async Task<WebApplication> BuildAsync(string[] args, bool bootstrap = true)
    {
        // Settings are read once: watching appsettings.json means watching the whole content root recursively, and the
        // default data folder (.data) is under it, so every database write would wake the watcher. An operator's own
        // --hostBuilder:reloadConfigOnChange=true comes later on the command line and wins.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        HostDefaults.Apply(builder.Configuration);
        var options = EdgeplaneOptions.From(builder.Configuration, builder.Environment.ContentRootPath);
        var strayFolders = new List<string>();
        var plugins = PluginDiscovery.Discover(builder.Configuration, options.PluginDirectories, strayFolders);
        var containerConfiguration = PluginComposition.LoadAndRegister(builder, plugins, options.DataDirectory);

        builder.WebHost.UseUrls(ListenUrls.For(builder.Configuration, plugins));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Edgeplane:MaxRequestBodyBytes") ?? 10 * 1024 * 1024);
        // Autofac composes the host when a plugin configures Autofac's container (or Edgeplane:UseAutofac says so);
        // otherwise the platform's container, which costs a third of the CPU per request (bench/host).
        if (containerConfiguration.Count > 0 || builder.Configuration.GetValue<bool>("Edgeplane:UseAutofac"))
            builder.Host.UseServiceProviderFactory(new AutofacServiceProviderFactory(c => PluginComposition.Configure(c, containerConfiguration)));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PluginCatalog(plugins));
        builder.Services.AddProblemDetails();
        // A request the server cannot read is the client's error: the request delegates throw it (instead of an
        // empty 400) so that ClientErrorHandler answers 4xx with the field, as it does Kestrel's 413.
        builder.Services.AddExceptionHandler<ClientErrorHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, IdentityJson.Default);
        });
        // after every plugin has added its generated metadata to the chain
        builder.Services.PostConfigure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => StrictRequestJson.Apply(o.SerializerOptions));
        builder.AddEdgeplanePlatform(options, plugins);
        builder.Services.AddEdgeplaneObservability();
        builder.Services.AddEdgeplaneOpenApi();

        var app = builder.Build();
        // Migrations (then the first run's admin) run while the routes are mapped and built: neither needs the
        // other until a plugin fails to migrate, and then its endpoints are withdrawn before the host serves.
        var active = plugins.Where(p => p.IsLive).ToList();
        var migrated = Task.Run(async () =>
        {
            app.Services.StartEdgeplaneMetrics();
            var failed = await MigrateAsync(app, active);
            if (bootstrap) await app.Services.GetRequiredService<Bootstrap>().RunAsync(CancellationToken.None);
            return failed;
        });

        app.UseMiddleware<FailedRequestAudit>(); // outside the exception handler: sees the status it answers with
        app.UseExceptionHandler();
        app.UseStatusCodePages(BindingFailures.HandleAsync);
        app.UseRouting();
        if (active.Any(p => p.Mounts.Any(m => m.Port is not null))) app.UseMiddleware<DedicatedListenerGuard>();
        app.UseEdgeplaneObservability();
        app.UseEdgeplanePlatform();
        app.MapOperations();
        app.MapIdentity();
        app.MapAudit();
        app.MapEdgeplaneObservability();
        app.MapEdgeplaneOpenApi();
        var hostSources = BuildOnce(app);
        var hostBuilt = Task.Run(() => Build(hostSources));
        var pluginsBuilt = active.Select(entry => Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var sources = PluginRouteMapper.MapAndBuild(app, entry);
            entry.LoadTime += clock.Elapsed;
            return sources;
        })).ToList();
        await Task.WhenAll([hostBuilt, ..pluginsBuilt, migrated]);
        var failedToMigrate = migrated.Result;
        var routes = (IEndpointRouteBuilder)app;
        foreach (var (entry, built) in active.Zip(pluginsBuilt))
        {
            var failure = failedToMigrate.FirstOrDefault(f => f.Entry == entry);
            if (failure.Entry is not null) entry.Fail(failure.Reason, failure.Error);
            else entry.Advance(PluginState.Migrated);
            entry.Map(built.Result); // a plugin that failed meanwhile withdraws them
            foreach (var source in built.Result) routes.DataSources.Add(source);
        }
        routes.DataSources.Add(new UnavailablePluginEndpoints(app.Services.GetRequiredService<PluginCatalog>()));

        foreach (var folder in strayFolders)
            app.Logger.LogWarning("Folder {Folder} in a plugin directory has no {Manifest}: it is not a plugin and is not loaded", folder, PluginManifest.FileName);
        foreach (var entry in plugins) LogOutcome(app.Logger, entry);
        return app;
    }

    /// <summary>
    /// Applies the host's and each active plugin's pending migrations; returns the plugins that failed and why
    /// (the host's own failure throws). A start with nothing pending reads the applied list once and takes no lock.
    /// </summary>
    private static async Task<List<(PluginEntry Entry, string Reason, Exception Error)>> MigrateAsync(WebApplication app, IReadOnlyList<PluginEntry> active)
    {
        var connections = app.Services.GetRequiredService<DbConnectionFactory>();
        var runner = app.Services.GetRequiredService<MigrationRunner>();
        await connections.PrepareAsync();
        var applied = await runner.ReadAppliedAsync();
        bool Current(string plugin, IReadOnlyList<Migration> migrations) =>
            migrations.All(m => applied.Contains((plugin, m.Version, m.Checksum)));

        var hostMigrations = Migration.From(typeof(EdgeplaneApplication).Assembly);
        if (!Current("host", hostMigrations)) await runner.ApplyAsync("host", hostMigrations);
        var failed = new List<(PluginEntry, string, Exception)>();
        foreach (var entry in active)
        {
            try
            {
                var migrations = Migration.From(entry.Assembly!);
                if (!Current(entry.Id, migrations)) await runner.ApplyAsync(entry.Id, migrations);
            }
            catch (Exception e) when (e is MigrationException or InvalidOperationException)
            {
                failed.Add((entry, e.Message, e));
            }
        }
        return failed;
    }

    /// <summary>
    /// One line per plugin, and its warnings: Information when it is on its way or disabled, Warning when its SDK
    /// keeps it out, Error with the exception's type and stack when it failed.
    /// </summary>
    private static void LogOutcome(ILogger logger, PluginEntry entry)
    {
        var level = entry.State switch
        {
            PluginState.Failed => LogLevel.Error,
            PluginState.Incompatible => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        logger.Log(level, entry.Error, "Plugin {PluginId} {Version}: {State} in {LoadMs:F0} ms at {Mount}{Reason}",
            entry.Id, entry.Version, entry.State, entry.LoadTime.TotalMilliseconds, string.Join(", ", entry.Mounts), entry.Reason is null ? "" : $" ({entry.Reason})");
        foreach (var warning in entry.Warnings)
            logger.LogWarning("Plugin {PluginId} in {Folder} {Warning}", entry.Id, entry.Folder, warning);
    }

    /// <summary>
    /// Wraps the host's own route sources so that their endpoints are built once (a route data source builds
    /// them anew at every read) and, like the plugins', ahead of the first request.
    /// </summary>
    private static List<ServedEndpointDataSource> BuildOnce(IEndpointRouteBuilder routes)
    {
        var sources = routes.DataSources.Select(source => new ServedEndpointDataSource(source)).ToList();
        routes.DataSources.Clear();
        foreach (var source in sources) routes.DataSources.Add(source);
        return sources;
    }

    private static void Build(IEnumerable<ServedEndpointDataSource> sources)
    {
        foreach (var source in sources) source.Build();
    }
}
