using Edgeplane.Host.Plugins;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Host.Observability;

/// <summary>Ready when every enabled plugin is <see cref="PluginState.Active"/>; the data names each one that is not.</summary>
public sealed class PluginHealthCheck(PluginCatalog catalog) : IHealthCheck
{
    public const string Name = "plugins";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notReady = PluginLabels.For(catalog)
            .Where(p => p.Entry.State is not (PluginState.Active or PluginState.Disabled))
            .ToDictionary(p => p.Label, object (p) => $"{p.Entry.State}: {p.Entry.Reason}");
        var active = catalog.Plugins.Count(p => p.State == PluginState.Active);
        return Task.FromResult(notReady.Count == 0
            ? HealthCheckResult.Healthy($"{active} plugin(s) active")
            : HealthCheckResult.Unhealthy($"{notReady.Count} enabled plugin(s) not active: {string.Join(", ", notReady.Keys)}", data: notReady));
    }
}
