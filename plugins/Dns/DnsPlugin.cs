using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Jobs;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
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
        // The snapshot is read while the host goes on starting (migrations, other plugins, Kestrel), so the view is
        // ready when the zone view starts, before the DNS server binds. Options cannot be resolved yet, so the
        // settings the read needs are read here the same way (a bad one fails the plugin when they are validated).
        var startup = new DnsServerOptions();
        Read(startup);
        var snapshot = new ViewSnapshot(startup.SnapshotDirectory!, new ZoneBuilder(startup).Snapshot);
        snapshot.Preload();
        services.AddSingleton(snapshot);
        services.AddSingleton<ZoneViewProvider>();
        services.AddHostedService(sp => sp.GetRequiredService<ZoneViewProvider>());
        services.AddSingleton<DnsServer>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsServer>());
        services.AddHealthChecks().AddCheck<DnsServerHealthCheck>("dns");
        services.AddSingleton<NotifyJob>();
        services.AddHostedService(sp => sp.GetRequiredService<NotifyJob>());
    }
}
