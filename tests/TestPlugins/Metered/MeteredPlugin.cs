using Edgeplane.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.TestPlugins.Metered;

public sealed class MeteredPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton<Instruments>();
        builder.Services.AddSingleton<ItemStore>();
        var healthy = builder.Configuration.GetValue("Healthy", true);
        builder.Services.AddHealthChecks().AddCheck("metered-backend", () => healthy
            ? HealthCheckResult.Healthy("backend reachable")
            : HealthCheckResult.Unhealthy("backend unreachable (configured so)"));
    }
}
