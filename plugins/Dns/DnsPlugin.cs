using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Jobs;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Dns;

public sealed class DnsPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var options = DnsServerOptions.From(builder.Configuration);
        options.PrometheusSdFile ??= Path.Combine(builder.DataDirectory, "prometheus-nodes.json");
        var services = builder.Services;
        services.AddSingleton(options);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.DnsJson.Default));
        services.AddSingleton(Api.BulkLimits.From(builder.Configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ViewStore>();
        services.AddSingleton<ZoneStore>();
        services.AddSingleton<AclStore>();
        services.AddSingleton<NodeStore>();
        services.AddSingleton<NotifyStore>();
        var zones = new ZoneBuilder(options);
        services.AddSingleton(zones);
        services.AddSingleton<IEventHandler<TeamDeleted>, TeamZonesCleanup>();
        services.AddSingleton(new Domain.PublicSuffixFile(options.PublicSuffixList));
        // The snapshot is read while the host goes on starting (migrations, other plugins, Kestrel), so the view is
        // ready when the zone view starts, before the DNS server binds.
        var snapshot = new ViewSnapshot(options.SnapshotDirectory ?? Path.Combine(builder.DataDirectory, "snapshot"), zones.Snapshot);
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
