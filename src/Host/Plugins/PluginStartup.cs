using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Which plugins are still starting their background services: not ready until none is. At most half the
/// cores start them at once, so that requests are served on the others while plugins warm up.
/// </summary>
/// <param name="concurrentStarts">How many plugins start at once; half the cores (at least one) by default.</param>
public sealed class PluginStartup(int concurrentStarts = 0) : IHealthCheck
{
    public const string Name = "plugin-startup";

    private readonly ConcurrentDictionary<string, byte> _starting = new();
    private readonly SemaphoreSlim _turns = new(concurrentStarts > 0 ? concurrentStarts : Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Waits for a turn to start a plugin's background services; disposing the result ends it.</summary>
    public async Task<IDisposable> TurnAsync(CancellationToken cancellationToken)
    {
        await _turns.WaitAsync(cancellationToken);
        return new Turn(_turns);
    }

    private sealed class Turn(SemaphoreSlim turns) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) turns.Release();
        }
    }

    public void Begin(string pluginId) => _starting[pluginId] = 0;

    public void End(string pluginId) => _starting.TryRemove(pluginId, out _);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_starting.IsEmpty
            ? HealthCheckResult.Healthy("every plugin's background services have started")
            : HealthCheckResult.Unhealthy($"starting: {string.Join(", ", _starting.Keys.Order())}"));
}
