using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Events;

namespace Edgeplane.Plugins.Rollouts.Data.Deployments;

/// <summary>
/// One transaction on one rollout (<see cref="DeploymentStore.ChangeAsync{T}"/>): the rollout as read inside it, and the
/// writes that commit with it. Null <see cref="Rollout"/>: the team has no such rollout.
/// </summary>
public sealed class RolloutChange(DeploymentStore store, DbConnection connection, DbTransaction transaction, RolloutRow? rollout)
{
    public RolloutRow? Rollout => rollout;

    private RolloutRow Row => rollout ?? throw new InvalidOperationException("no rollout to change");

    /// <summary>Saves the rollout's state, phase and approval fields.</summary>
    public Task SaveAsync() => DeploymentStore.SaveAsync(connection, transaction, Row);

    /// <summary>Releases the devices of <paramref name="phase"/> (and earlier), starts its soak clock and saves the rollout.</summary>
    public Task StartPhaseAsync(int phase) => store.StartPhaseAsync(connection, transaction, Row, phase);

    /// <summary>Stops the devices that have not finished; returns how many.</summary>
    public Task<int> AbortDevicesAsync(DateTimeOffset now) => store.AbortDevicesAsync(connection, transaction, Row, now);

    /// <summary>Devices per phase and state.</summary>
    public Task<IReadOnlyList<(int Phase, string State, int Count)>> CountsAsync() => DeploymentStore.CountsAsync(connection, transaction, Row.Id);

    /// <summary>How many of the rollout's devices failed so far.</summary>
    public Task<int> FailedAsync() => connection.ExecuteScalarAsync<int>(
        "SELECT COUNT(*) FROM rollouts_deployment_devices WHERE rollout_id = @id AND state = 'failed'", new { id = Row.Id }, transaction);

    /// <summary>Released devices that hold the phase back (see <see cref="DeploymentStore.UnsettledAsync"/>).</summary>
    public Task<int> UnsettledAsync(DateTimeOffset onlineSince, DateTimeOffset progressSince) =>
        DeploymentStore.UnsettledAsync(connection, transaction, Row.Id, onlineSince, progressSince);

    /// <summary>Adds the event to the rollout's timeline in this transaction.</summary>
    public Task AddEventAsync<TData>(TData data) where TData : IEventData => store.AddEventAsync(connection, transaction, Row, data);
}
