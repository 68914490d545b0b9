using Edgeplane.Abstractions.Events;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// Drops a deleted team's data. Every plugin that keeps data per team registers one as an <see cref="IEventHandler"/>
/// (<c>services.AddSingleton&lt;IEventHandler, MyTeamCleanup&gt;()</c>); it runs after the host deleted the team
/// (<see cref="TeamDeletedEvent"/>), whoever deleted it. It must be idempotent: a plugin's own route may run it again.
/// </summary>
public abstract class TeamDataCleanup : IEventHandler
{
    public Task HandleAsync(EdgeplaneEvent @event, CancellationToken cancellationToken) =>
        @event.Type == TeamDeletedEvent.Type && (@event.TeamId ?? (@event.Data as TeamInfo)?.Id) is { } teamId
            ? DeleteTeamDataAsync(teamId, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Deletes every row (and anything outside the database) the plugin keeps for <paramref name="teamId"/>.</summary>
    public abstract Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken);
}
