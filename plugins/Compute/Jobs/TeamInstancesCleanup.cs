using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Compute.Jobs;

/// <summary>
/// A deleted team's instances go with it: each container is removed from its node, then the instance's rows. An
/// instance whose node does not answer is marked deleted; reconciliation removes its container when the node is back
/// and then its rows (the <see cref="Reconciler"/> purges deleted instances of teams the host no longer has).
/// </summary>
public sealed class TeamInstancesCleanup(InstanceStore instances, NodeStore nodes, EngineClients clients, ILogger<TeamInstancesCleanup> logger) : TeamDataCleanup
{
    public override async Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken)
    {
        var team = await instances.ListTeamAsync(teamId, cancellationToken);
        foreach (var instance in team)
        {
            if (await RemoveContainerAsync(instance, cancellationToken)) await instances.PurgeAsync(instance.Id, cancellationToken);
            else await instances.MarkDeletedAsync(instance.Id, cancellationToken);
        }
        if (team.Count > 0) logger.LogInformation("Team {Team} deleted: removed its {Instances} instances", teamId, team.Count);
    }

    private async Task<bool> RemoveContainerAsync(InstanceRow instance, CancellationToken cancellationToken)
    {
        if (await nodes.FindAsync(instance.NodeId, cancellationToken) is not { } node) return true;
        try
        {
            await clients.For(node).DestroyContainerAsync(instance.ContainerId ?? instance.ContainerName, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is EngineException or EngineUnreachableException)
        {
            logger.LogWarning("Instance {Instance} of a deleted team keeps its container on node {Node} until reconciliation removes it: {Message}", instance.Id, node.Name, e.Message);
            return false;
        }
    }
}
