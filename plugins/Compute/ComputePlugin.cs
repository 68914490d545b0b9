using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Edgeplane.Plugins.Compute.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Compute;

/// <summary>Container instances on nodes that run a Docker-API engine (Docker or Podman).</summary>
public sealed class ComputePlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ComputeOptions>().Bind(builder.Configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ComputeOptions>, ComputeOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ComputeOptions>>().Value);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.ComputeJson.Default));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NodeStore>();
        services.AddSingleton<ImageStore>();
        services.AddSingleton<InstanceStore>();
        services.AddSingleton<EngineClients>();
        services.AddSingleton<ComputeMetrics>();
        services.AddSingleton<HostPortMover>();
        services.AddSingleton<DeployQueue>();
        services.AddSingleton<Deployer>();
        services.AddSingleton<Reconciler>();
        services.AddScoped<InstanceService>();
        services.AddScoped<DeployService>();
        services.AddScoped<NodeRegistry>();
        services.AddHostedService<DeployWorker>();
        services.AddHostedService<ReconcileJob>();
        services.AddSingleton<IEventHandler<TeamDeleted>, TeamInstancesCleanup>();
    }
}
