using Dapper;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Jobs;

/// <summary>
/// A deleted team's fleet, artifacts, evidence and deployments go with it, in one transaction: its targets leave the
/// signed repository (a new targets version without them; payloads no other team has are deleted), then every row of
/// the team. Its devices' certificates stop working (no device answers to them any more).
/// </summary>
public sealed class TeamCleanup(TufRepository tuf, ILogger<TeamCleanup> logger) : TeamDataCleanup
{
    /// <summary>Rows that name the team only through their parent, deleted before the parents.</summary>
    private static readonly string[] ByParent =
    [
        "DELETE FROM rollouts_device_events WHERE device_id IN (SELECT id FROM rollouts_devices WHERE team_id = @teamId)",
        "DELETE FROM rollouts_group_members WHERE group_id IN (SELECT id FROM rollouts_groups WHERE team_id = @teamId)",
    ];

    /// <summary>Every table with a <c>team_id</c> column but the repository's targets (<see cref="TufRepository.RemoveTeamTargetsAsync"/>).</summary>
    private static readonly string[] TeamTables =
    [
        "rollouts_rollout_events", "rollouts_deployment_devices", "rollouts_rollouts",
        "rollouts_incident_events", "rollouts_incident_links", "rollouts_incidents", "rollouts_vulnerabilities", "rollouts_branding",
        "rollouts_sbom_components", "rollouts_sboms", "rollouts_artifacts", "rollouts_registries",
        "rollouts_log_requests", "rollouts_certificates", "rollouts_devices", "rollouts_groups", "rollouts_enroll_tokens",
    ];

    public override async Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken)
    {
        var rows = 0;
        var targets = await tuf.RemoveTeamTargetsAsync(teamId, async (connection, transaction) =>
        {
            foreach (var sql in ByParent) rows += await connection.ExecuteAsync(sql, new { teamId }, transaction);
            foreach (var table in TeamTables) rows += await connection.ExecuteAsync($"DELETE FROM {table} WHERE team_id = @teamId", new { teamId }, transaction);
        }, cancellationToken);
        if (rows + targets > 0) logger.LogInformation("Team {Team} deleted: removed {Targets} signed targets and {Rows} rows", teamId, targets, rows);
    }
}
