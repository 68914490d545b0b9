using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Edgeplane.Plugins.Compute.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Compute;

/// <summary>Container instances on nodes that run a Docker-API engine (Docker or Podman).</summary>
public sealed class ComputePlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(ComputeOptions.From(builder.Configuration));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Routes.ComputeJson.Default));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Store>();
        services.AddSingleton<EngineClients>();
        services.AddSingleton<ComputeMetrics>();
        services.AddSingleton<DeployQueue>();
        services.AddSingleton<Deployer>();
        services.AddSingleton<Reconciler>();
        services.AddScoped<InstanceService>();
        services.AddHostedService<DeployWorker>();
        services.AddHostedService<ReconcileJob>();
        services.AddSingleton<IEventHandler<TeamDeleted>, TeamInstancesCleanup>();
    }
}
