using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Fleet;
using Edgeplane.Plugins.Waf.Proxy;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Waf;

public sealed class WafPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var services = builder.Services;
        var dataDirectory = builder.DataDirectory;
        services.AddOptions<WafOptions>().Bind(builder.Configuration).Configure(o => o.DataDirectory = dataDirectory).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WafOptions>, WafOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WafOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Api.WafJson.Default));
        services.AddSingleton<WafCounters>();
        services.AddSingleton<WafEngine>();
        services.AddSingleton<WafMetrics>();
        services.AddSingleton<WafStatus>();
        services.AddSingleton<WafStore>();
        services.AddSingleton<SnapshotBuilder>();
        services.AddSingleton<EngineSync>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineSync>());
        services.AddSingleton<OrchestratorOutbox>();
        services.AddSingleton<WebhookEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookEvents>());
        services.AddHostedService<NodeHealthJob>();
        services.AddSingleton<HeartbeatIntake>();
        services.AddSingleton<WafProxyService>();
        services.AddHostedService(sp => sp.GetRequiredService<WafProxyService>());
        // whether to guard the host decides what is registered, so it is read here; the rest is bound and checked above
        if (builder.Configuration.GetValue<bool>(nameof(WafOptions.GuardHost))) services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, HostGuard>();
    }
}
