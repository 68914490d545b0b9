using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Rollouts.Api.Device;
using Edgeplane.Plugins.Rollouts.Data;
using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Ca;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Evidence;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Data.Registries;
using Edgeplane.Plugins.Rollouts.Data.Reports;
using Edgeplane.Plugins.Rollouts.Data.Sboms;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Edgeplane.Plugins.Rollouts.Domain.Deployments;
using Edgeplane.Plugins.Rollouts.Domain.Reports;
using Edgeplane.Plugins.Rollouts.Domain;
using Edgeplane.Plugins.Rollouts.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Rollouts;

/// <summary>Rollouts, part 1: enrollment, the device CA and mTLS gRPC device API, devices, groups, logs.</summary>
public sealed class RolloutsPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var dataDirectory = builder.DataDirectory;
        builder.Services.AddOptions<RolloutsOptions>().Bind(builder.Configuration).Configure(o => o.DataDirectory = dataDirectory).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RolloutsOptions>, RolloutsOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<RolloutsOptions>>().Value);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<RolloutsOptions>().Tuf);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<RolloutsOptions>().Artifacts);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<RolloutsOptions>().Deployments);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.RolloutsJson.Default));
        builder.Services.AddSingleton<KeyProtector>();
        builder.Services.AddSingleton<DeviceCa>();
        builder.Services.AddSingleton<EnrollTokenStore>();
        builder.Services.AddSingleton<HeartbeatWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWriter>());
        builder.Services.AddSingleton<DeviceStore>();
        builder.Services.AddSingleton<DeviceCredentials>();
        builder.Services.AddSingleton<DeviceCheckIns>();
        builder.Services.AddSingleton<DeviceHistory>();
        builder.Services.AddSingleton<GroupStore>();
        builder.Services.AddSingleton<LogStore>();
        builder.Services.AddSingleton<ProfileStore>();
        builder.Services.AddSingleton<DeviceGrpcService>();
        builder.Services.AddSingleton<DeviceApiState>();
        builder.Services.AddHostedService<DeviceApiListener>();
        builder.Services.AddHostedService<DeviceCaRefresher>();
        builder.Services.AddSingleton<IncidentStore>();
        builder.Services.AddSingleton<BrandingStore>();
        builder.Services.AddSingleton<VulnerabilityStore>();
        builder.Services.AddSingleton<ReportFacts>();
        builder.Services.AddSingleton<ReportService>();
        builder.Services.AddHealthChecks().AddCheck<DeviceApiState>("rollouts-device-api");
        // part 2: artifacts through the update-signing repository (TUF), SBOMs, registries, deployments
        builder.Services.AddSingleton<TufRepository>();
        builder.Services.AddSingleton<TeamRows>();
        builder.Services.AddHostedService<TufInitializer>();
        builder.Services.AddHostedService<TufRefreshJob>();
        builder.Services.AddSingleton<ArtifactStore>();
        builder.Services.AddSingleton<SbomStore>();
        builder.Services.AddSingleton<RegistryStore>();
        builder.Services.AddSingleton<DeploymentStore>();
        builder.Services.AddSingleton<RolloutEvents>();
        builder.Services.AddHostedService<DeploymentOrchestrator>();
        builder.Services.AddSingleton<IEventHandler<TeamDeleted>, TeamCleanup>();
    }
}
