using Edgeplane.Abstractions.Events;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// Drops a deleted team's data. Every plugin that keeps data per team registers one
/// (<c>services.AddSingleton&lt;IEventHandler&lt;TeamDeleted&gt;, MyTeamCleanup&gt;()</c>); it runs after the host deleted the team
/// (<see cref="TeamDeleted"/>), whoever deleted it. It must be idempotent: a plugin's own route may run it again.
/// </summary>
public abstract class TeamDataCleanup : IEventHandler<TeamDeleted>
{
    public Task HandleAsync(EdgeplaneEvent<TeamDeleted> @event, CancellationToken cancellationToken) =>
        DeleteTeamDataAsync(@event.Data.Team.Id, cancellationToken);

    /// <summary>Deletes every row (and anything outside the database) the plugin keeps for <paramref name="teamId"/>.</summary>
    public abstract Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken);
}
