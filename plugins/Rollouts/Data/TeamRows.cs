using Dapper;
using Edgeplane.Plugins.Rollouts.Data.Tuf;

namespace Edgeplane.Plugins.Rollouts.Data;

/// <summary>
/// Everything a team has in this plugin, deleted in one transaction: its targets leave the signed repository (a new
/// targets version without them; payloads no other team has are deleted), then every row of the team.
/// </summary>
public sealed class TeamRows(TufRepository tuf)
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

    /// <summary>Deletes the team's targets and rows; returns how many of each.</summary>
    public async Task<(int Targets, int Rows)> DeleteAsync(string teamId, CancellationToken cancellationToken)
    {
        var rows = 0;
        var targets = await tuf.RemoveTeamTargetsAsync(teamId, async (connection, transaction) =>
        {
            foreach (var sql in ByParent) rows += await connection.ExecuteAsync(sql, new { teamId }, transaction);
            foreach (var table in TeamTables) rows += await connection.ExecuteAsync($"DELETE FROM {table} WHERE team_id = @teamId", new { teamId }, transaction);
        }, cancellationToken);
        return (targets, rows);
    }
}
