using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Which plugins are still starting their background services: not ready until none is. With a patience, they start
/// once the host has answered its first request (or the patience after they asked, if none comes), so that on a small
/// machine their warm-up does not share the cores with that request (bench/host); then at most half the cores start them
/// at once, so that requests are served on the others while plugins warm up.
/// </summary>
/// <param name="concurrentStarts">How many plugins start at once; half the cores (at least one) by default.</param>
/// <param name="firstAnswerPatience">How long plugins wait for the first answer (the host's pipeline reports it through
/// <see cref="Watch"/>); null: they do not wait.</param>
public sealed class PluginStartup(int concurrentStarts = 0, TimeSpan? firstAnswerPatience = null) : IHealthCheck
{
    public const string Name = "plugin-startup";

    /// <summary>The host's patience: the first request comes within tens of milliseconds of the server listening when anyone is waiting.</summary>
    public static readonly TimeSpan FirstAnswerPatience = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, byte> _starting = new();
    private readonly SemaphoreSlim _turns = new(concurrentStarts > 0 ? concurrentStarts : Math.Max(1, Environment.ProcessorCount / 2));
    private readonly TaskCompletionSource _firstAnswer = NewFirstAnswer(firstAnswerPatience);

    private static TaskCompletionSource NewFirstAnswer(TimeSpan? patience)
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (patience is null) answered.SetResult();
        return answered;
    }

    /// <summary>The host's outermost middleware: passes every request on and marks the end of the first one.</summary>
    public RequestDelegate Watch(RequestDelegate next) => context => _firstAnswer.Task.IsCompleted ? next(context) : AnswerFirstAsync(next, context);

    private async Task AnswerFirstAsync(RequestDelegate next, HttpContext context)
    {
        try
        {
            await next(context);
        }
        finally
        {
            _firstAnswer.TrySetResult();
        }
    }

    /// <summary>Waits for the first answer (at most the patience), then for a turn to start a plugin's background services; disposing the result ends it.</summary>
    public async Task<IDisposable> TurnAsync(CancellationToken cancellationToken)
    {
        if (!_firstAnswer.Task.IsCompleted)
            await _firstAnswer.Task.WaitAsync(firstAnswerPatience!.Value, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
