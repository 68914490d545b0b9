using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Fleet;
using Edgeplane.Plugins.Waf.Proxy;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edgeplane.Plugins.Waf;

public sealed class WafPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var options = new WafOptions();
        builder.Configuration.Bind(options);
        options.DataDirectory = builder.DataDirectory;
        if (options.Proxy.OversizeBody is not ("pass" or "block"))
            throw new InvalidOperationException($"Proxy:OversizeBody '{options.Proxy.OversizeBody}' must be pass or block");
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
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
        services.AddSingleton<WafProxyService>();
        services.AddHostedService(sp => sp.GetRequiredService<WafProxyService>());
        if (options.GuardHost) services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, HostGuard>();
    }
}
