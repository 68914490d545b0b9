using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Jobs;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Dns;

public sealed class DnsPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var dataDirectory = builder.DataDirectory;
        void Read(DnsServerOptions o)
        {
            DnsServerOptions.Read(configuration, o);
            o.PrometheusSdFile ??= Path.Combine(dataDirectory, "prometheus-nodes.json");
            o.SnapshotDirectory ??= Path.Combine(dataDirectory, "snapshot");
        }
        services.AddOptions<DnsServerOptions>().Configure(Read).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DnsServerOptions>, DnsServerOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DnsServerOptions>>().Value);
        services.AddOptions<Api.BulkLimits>().Configure(l => Api.BulkLimits.Read(configuration, l)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Api.BulkLimits>, Api.BulkLimitsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<Api.BulkLimits>>().Value);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.DnsJson.Default));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ViewStore>();
        services.AddSingleton<WrittenZones>();
        services.AddSingleton<ZoneStore>();
        services.AddSingleton<AclStore>();
        services.AddSingleton<NodeStore>();
        services.AddSingleton<NotifyStore>();
        services.AddSingleton<ZoneBuilder>();
        services.AddSingleton<IEventHandler<TeamDeleted>, TeamZonesCleanup>();
        services.AddSingleton(sp => new Domain.PublicSuffixFile(sp.GetRequiredService<DnsServerOptions>().PublicSuffixList));
        // The snapshot is read while the host goes on starting (migrations, other plugins, Kestrel), and the DNS server
        // starts early (before the host's container, migrations and web server): it answers from the snapshot as soon as
        // it is read, and the zone view then takes over from it. Options cannot be resolved yet, so the settings both
        // need are read here the same way (a bad one fails the plugin when they are checked, before anything starts).
        var startup = new DnsServerOptions();
        Read(startup);
        var snapshot = new ViewSnapshot(startup.SnapshotDirectory!, new ZoneBuilder(startup).Snapshot);
        var served = new ServedView();
        _ = served.ServeSnapshotAsync(snapshot.Preload());
        var log = new DeferredLogger();
        var server = new DnsServer(startup, served, log);
        services.AddSingleton(snapshot);
        services.AddSingleton(served);
        services.AddHostedService(sp => new DeferredLogger.Attachment(log, sp.GetRequiredService<ILoggerFactory>().CreateLogger<DnsServer>()));
        services.AddSingleton<ZoneViewProvider>();
        services.AddHostedService(sp => sp.GetRequiredService<ZoneViewProvider>());
        services.AddSingleton(_ => server);
        if (!builder.StartEarly(server)) services.AddHostedService(_ => server);
        services.AddHealthChecks().AddCheck<DnsServerHealthCheck>("dns");
        services.AddSingleton<NotifyJob>();
        services.AddHostedService(sp => sp.GetRequiredService<NotifyJob>());
    }
}
