using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Rollouts.Artifacts;
using Edgeplane.Plugins.Rollouts.Ca;
using Edgeplane.Plugins.Rollouts.Device;
using Edgeplane.Plugins.Rollouts.Evidence;
using Edgeplane.Plugins.Rollouts.Fleet;
using Edgeplane.Plugins.Rollouts.Teams;
using Edgeplane.Plugins.Rollouts.Tuf;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Rollouts;

/// <summary>Rollouts, part 1: enrollment, the device CA and mTLS gRPC device API, devices, groups, logs.</summary>
public sealed class RolloutsPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var section = builder.Configuration;
        var dataDirectory = builder.DataDirectory;
        builder.Services.AddSingleton(_ => RolloutsOptions.From(section, dataDirectory));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.RolloutsJson.Default));
        builder.Services.AddSingleton<KeyProtector>();
        builder.Services.AddSingleton<DeviceCa>();
        builder.Services.AddSingleton<EnrollTokenStore>();
        builder.Services.AddSingleton<HeartbeatWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWriter>());
        builder.Services.AddSingleton<DeviceStore>();
        builder.Services.AddSingleton<GroupStore>();
        builder.Services.AddSingleton<LogStore>();
        builder.Services.AddSingleton<ProfileStore>();
        builder.Services.AddSingleton<DeviceGrpcService>();
        builder.Services.AddSingleton<DeviceApiState>();
        builder.Services.AddHostedService<DeviceApiListener>();
        builder.Services.AddHostedService<DeviceCaRefresher>();
        builder.Services.AddSingleton<IncidentStore>();
        builder.Services.AddSingleton<Reports.BrandingStore>();
        builder.Services.AddSingleton<VulnerabilityStore>();
        builder.Services.AddSingleton<Reports.ReportService>();
        builder.Services.AddHealthChecks().AddCheck<DeviceApiState>("rollouts-device-api");
        // part 2: artifacts through the update-signing repository (TUF), SBOMs, registries, deployments
        var tufOptions = TufOptions.From(section);
        builder.Services.AddSingleton(tufOptions);
        builder.Services.AddSingleton(ArtifactOptions.From(section));
        builder.Services.AddSingleton<TufRepository>();
        builder.Services.AddHostedService<TufInitializer>();
        if (tufOptions.RefreshInterval > TimeSpan.Zero) builder.Services.AddHostedService<TufRefreshJob>();
        builder.Services.AddSingleton<ArtifactStore>();
        builder.Services.AddSingleton<Sboms.SbomStore>();
        builder.Services.AddSingleton<Registries.RegistryStore>();
        builder.Services.AddSingleton(Deployments.DeploymentOptions.From(section));
        builder.Services.AddSingleton<Deployments.DeploymentStore>();
        builder.Services.AddSingleton<Deployments.RolloutEvents>();
        builder.Services.AddHostedService<Deployments.DeploymentOrchestrator>();
        builder.Services.AddSingleton<IEventHandler<TeamDeleted>, TeamCleanup>();
    }
}
