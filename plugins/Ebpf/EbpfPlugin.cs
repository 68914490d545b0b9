using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Edgeplane.Plugins.Ebpf.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Ebpf;

/// <summary>eBPF inventory: teams' Linux nodes, their eBPF features, programs and maps, reported by the native agent.</summary>
public sealed class EbpfPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EbpfOptions>().Bind(builder.Configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EbpfOptions>, EbpfOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EbpfOptions>>().Value);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.EbpfJson.Default));
        services.AddSingleton<TeamStore>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<NodeStore>();
        services.AddSingleton<ObjectStore>();
        services.AddSingleton<ReportStore>();
        services.AddSingleton<ReportIngestion>();
        services.AddSingleton<IngestQueue>();
        services.AddSingleton<IEventHandler<TeamDeleted>, TeamDeletedHandler>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestQueue>());
        services.AddMetrics();
        services.AddSingleton<EbpfMetrics>();
        services.TryAddSingleton(TimeProvider.System);
    }
}
