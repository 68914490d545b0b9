using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Ebpf.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Ebpf;

/// <summary>eBPF inventory: teams' Linux nodes, their eBPF features, programs and maps, reported by the native agent.</summary>
public sealed class EbpfPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton(EbpfOptions.From(builder.Configuration));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Routes.EbpfJson.Default));
        builder.Services.AddSingleton<EbpfStore>();
        builder.Services.AddSingleton<IngestQueue>();
        builder.Services.AddSingleton<IEventHandler<TeamDeleted>, TeamDeletedHandler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestQueue>());
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<EbpfMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
    }
}
