using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Host.Plugins;

/// <summary>Which plugins are still starting their background services: not ready until none is.</summary>
public sealed class PluginStartup : IHealthCheck
{
    public const string Name = "plugin-startup";

    private readonly ConcurrentDictionary<string, byte> _starting = new();

    public void Begin(string pluginId) => _starting[pluginId] = 0;

    public void End(string pluginId) => _starting.TryRemove(pluginId, out _);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_starting.IsEmpty
            ? HealthCheckResult.Healthy("every plugin's background services have started")
            : HealthCheckResult.Unhealthy($"starting: {string.Join(", ", _starting.Keys.Order())}"));
}
