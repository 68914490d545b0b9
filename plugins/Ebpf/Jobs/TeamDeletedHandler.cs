using Edgeplane.Plugins.Ebpf.Data;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Ebpf.Jobs;

/// <summary>
/// When a host team is deleted (through this plugin's <c>DELETE /teams/{id}</c>, the host's own team API or
/// any other plugin), deletes every node, object, history row and enrollment token of the team in one
/// transaction: nodes of a deleted team stop reporting (their credentials no longer match a node).
/// </summary>
public sealed class TeamDeletedHandler(TeamStore teamData, ILogger<TeamDeletedHandler> logger) : TeamDataCleanup
{
    public override async Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken)
    {
        var (nodes, objects) = await teamData.DeleteAsync(teamId, cancellationToken);
        logger.LogInformation("Team {Team} deleted: removed {Nodes} nodes and {Objects} object lifetimes", teamId, nodes, objects);
    }
}
