using Edgeplane.Plugins.Rollouts.Data;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Jobs;

/// <summary>
/// A deleted team's fleet, artifacts, evidence and deployments go with it, in one transaction (<see cref="TeamRows"/>).
/// Its devices' certificates stop working (no device answers to them any more).
/// </summary>
public sealed class TeamCleanup(TeamRows team, ILogger<TeamCleanup> logger) : TeamDataCleanup
{
    public override async Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken)
    {
        var (targets, rows) = await team.DeleteAsync(teamId, cancellationToken);
        if (rows + targets > 0) logger.LogInformation("Team {Team} deleted: removed {Targets} signed targets and {Rows} rows", teamId, targets, rows);
    }
}
