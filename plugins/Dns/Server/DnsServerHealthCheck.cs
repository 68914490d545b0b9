using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// <c>/readyz</c> check <c>dns</c>: unhealthy when the listener could not bind or the zone view has
/// never loaded from the database; the data shows endpoints, zones, generation and view age.
/// </summary>
public sealed class DnsServerHealthCheck(DnsServer server, ZoneViewProvider views, DnsServerOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Enabled) return Task.FromResult(HealthCheckResult.Healthy("DNS server disabled"));
        var view = views.Current;
        var data = new Dictionary<string, object>
        {
            ["listen"] = string.Join(", ", options.Listen),
            ["zones"] = view.Zones.Count,
            ["generation"] = view.Generation,
            ["viewLoadedAt"] = view.LoadedAt.ToString("O"),
        };
        if (server.Bound.IsFaulted)
            return Task.FromResult(HealthCheckResult.Unhealthy($"DNS listener failed: {server.Bound.Exception!.InnerException!.Message}", data: data));
        if (!server.Bound.IsCompleted)
            return Task.FromResult(HealthCheckResult.Unhealthy("DNS listener not started", data: data));
        if (!views.Loaded)
            return Task.FromResult(HealthCheckResult.Unhealthy("zone view not loaded from the database yet", data: data));
        return Task.FromResult(HealthCheckResult.Healthy($"serving {view.Zones.Count} zone(s) on {options.Listen.Count} endpoint(s)", data));
    }
}
