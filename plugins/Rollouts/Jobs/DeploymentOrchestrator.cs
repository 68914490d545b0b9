using Edgeplane.Abstractions.Jobs;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Domain.Deployments;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Jobs;

/// <summary>
/// Drives running rollouts, once across host instances: pauses a rollout whose failures (since the last resume) exceed
/// its threshold, and advances a phase when its soak time has passed, failures are under the threshold and every released
/// device that is online has finished (offline devices do not hold a rollout back; they pick the deployment up when they return).
/// </summary>
public sealed class DeploymentOrchestrator(DeploymentStore store, RolloutEvents events, DeploymentOptions options, RolloutsOptions fleet,
    ILeaseManager leases, TimeProvider time, ILogger<DeploymentOrchestrator> logger) : LeasedJob(leases, time, logger)
{
    private readonly TimeProvider _clock = time;

    protected override string Name => "rollouts.deployments";
    protected override TimeSpan Interval => options.Interval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var rollout in await store.ListRunningAsync(cancellationToken))
        {
            try
            {
                await StepAsync(rollout.TeamId, rollout.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Rollout {Rollout} step failed", rollout.Id);
            }
        }
    }

    /// <summary>One decision for one rollout; returns what happened (for tests and the benchmark).</summary>
    public async Task<string> StepAsync(string teamId, string rolloutId)
    {
        (string Outcome, RolloutRow? Row, object? Data) result = await store.ChangeAsync<(string, RolloutRow?, object?)>(teamId, rolloutId, async change =>
        {
            var rollout = change.Rollout;
            if (rollout is null || rollout.State != "running") return ("idle", null, null);
            var phases = Json.Read<List<Phase>>(rollout.Phases);
            var counts = await change.CountsAsync();
            var released = counts.Where(c => c.Phase <= rollout.CurrentPhase).Sum(c => c.Count);
            var failed = counts.Where(c => c.Phase <= rollout.CurrentPhase && c.State == "failed").Sum(c => c.Count);
            var rate = released == 0 ? 0 : 100.0 * Math.Max(0, failed - rollout.FailureBaseline) / released;
            var now = _clock.GetUtcNow();
            if (rate > rollout.FailureThreshold)
            {
                rollout.State = "paused";
                rollout.PausedReason = $"{failed - rollout.FailureBaseline} of {released} released devices failed ({rate:0.#}% > {rollout.FailureThreshold:0.#}%)";
                rollout.UpdatedAt = now;
                await change.SaveAsync();
                var pausedData = new RolloutPaused(rollout.Id, rollout.Name, rollout.CurrentPhase, failed - rollout.FailureBaseline, released,
                    Math.Round(rate, 2), rollout.FailureThreshold, rollout.PausedReason);
                await change.AddEventAsync(pausedData);
                return ("paused", rollout, pausedData);
            }
            var soakEnds = (rollout.PhaseStartedAt ?? now) + TimeSpan.FromSeconds(phases[rollout.CurrentPhase].SoakSeconds);
            if (now < soakEnds) return ("soaking", null, null);
            var unsettled = await change.UnsettledAsync(now - 3 * fleet.CheckInInterval, now - options.InstallTimeout);
            if (unsettled > 0) return ("waiting", null, null);
            if (rollout.CurrentPhase >= phases.Count - 1)
            {
                rollout.State = "completed";
                rollout.FinishedAt = now;
                rollout.UpdatedAt = now;
                await change.SaveAsync();
                var completedData = new RolloutCompleted(rollout.Id, rollout.Name, released, failed);
                await change.AddEventAsync(completedData);
                return ("completed", rollout, completedData);
            }
            await change.StartPhaseAsync(rollout.CurrentPhase + 1);
            var phaseData = new RolloutPhaseStarted(rollout.Id, rollout.Name, rollout.CurrentPhase, phases[rollout.CurrentPhase].Percent);
            await change.AddEventAsync(phaseData);
            return ("advanced", rollout, phaseData);
        });
        if (result.Row is not null)
        {
            await (result.Data switch
            {
                RolloutPaused paused => events.PublishAsync(result.Row, paused, recorded: true),
                RolloutCompleted completed => events.PublishAsync(result.Row, completed, recorded: true),
                RolloutPhaseStarted started => events.PublishAsync(result.Row, started, recorded: true),
                _ => throw new InvalidOperationException($"no event for outcome {result.Outcome}"),
            });
            if (result.Outcome == "paused") logger.LogWarning("Rollout {Rollout} paused: {Reason}", result.Row.Id, result.Row.PausedReason);
        }
        return result.Outcome;
    }
}
