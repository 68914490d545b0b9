using Edgeplane.Abstractions.Events;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Compute.Jobs;

/// <summary>One reconciliation round over every node (see <see cref="ReconcileJob"/>).</summary>
public sealed class Reconciler(InstanceStore instances, NodeStore nodes, EngineClients clients, ComputeOptions options, ComputeMetrics metrics, IEventPublisher events, ITeamService teams, TimeProvider clock,
    ILogger<Reconciler> logger)
{
    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var stale in await instances.StaleDeploysAsync(clock.GetUtcNow() - options.DeployTimeout, ct))
            await instances.UpdateStateAsync(stale.Id, InstanceState.Failed, "the deploy was interrupted (its host stopped before the container started)", ct: ct);

        await Task.WhenAll((await nodes.ListAsync(ct)).Select(node => ReconcileNodeAsync(node, ct)));
    }

    public async Task ReconcileNodeAsync(NodeRow node, CancellationToken ct)
    {
        var client = clients.For(node);
        IReadOnlyList<ContainerSummary> containers;
        try
        {
            var version = await client.GetVersionAsync(ct);
            containers = await client.ListContainersAsync(Deployer.InstanceLabel, all: true, ct);
            if (node.Status != NodeStatus.Up || node.LastError is not null || node.Engine != version.Describe())
                logger.LogInformation("Node {Node} is up ({Engine})", node.Name, version.Describe());
            await nodes.UpdateHealthAsync(node.Id, NodeStatus.Up, version.Describe(), version.ApiVersion, null, ct);
        }
        catch (Exception e) when (e is EngineUnreachableException or EngineException)
        {
            if (node.Status != NodeStatus.Down) logger.LogWarning("Node {Node} is down: {Message}", node.Name, e.Message);
            await nodes.UpdateHealthAsync(node.Id, NodeStatus.Down, null, null, e.Message, ct);
            foreach (var instance in await instances.ListLiveOnNodeAsync(node.Id, ct))
                if (instance.State is not (InstanceState.Deploying or InstanceState.Failed or InstanceState.Unknown))
                    await Change(instance, InstanceState.Unknown, $"node {node.Name} is unreachable: {e.Message}", instance.ExitCode, ct);
            return;
        }

        var byInstance = containers
            .Where(c => c.Labels?.ContainsKey(Deployer.InstanceLabel) == true)
            .GroupBy(c => c.Labels![Deployer.InstanceLabel])
            .ToDictionary(g => g.Key, g => g.First());

        foreach (var instance in await instances.ListLiveOnNodeAsync(node.Id, ct))
        {
            if (instance.State is InstanceState.Deploying or InstanceState.Failed) continue;
            if (!byInstance.TryGetValue(instance.Id, out var container))
            {
                await Change(instance, InstanceState.Missing, "the container no longer exists on the engine", null, ct);
                continue;
            }
            var state = ObservedState.Of(container.State, instance.DesiredState);
            int? exitCode = null;
            string? message = null;
            if (state is InstanceState.Exited or InstanceState.Stopped)
            {
                if (state != instance.State)
                {
                    var inspect = await client.InspectContainerAsync(container.Id, ct);
                    exitCode = inspect?.State?.ExitCode;
                    message = state == InstanceState.Exited ? $"the container exited with code {exitCode}" + (inspect?.State?.OOMKilled == true ? " (out of memory)" : "") : null;
                }
                else
                {
                    (exitCode, message) = (instance.ExitCode, instance.Message);
                }
            }
            await Change(instance, state, message, exitCode, ct, container.Id);
        }

        // Containers of instances that were deleted while their node was unreachable (or raced a deploy).
        var orphans = byInstance.Keys.ToList();
        if (orphans.Count == 0) return;
        var live = await instances.LiveIdsAsync(orphans, ct);
        foreach (var id in orphans.Where(id => !live.Contains(id)))
        {
            var known = await instances.FindAsync(id, ct);
            if (known?.DeletedAt is null) continue; // not ours (another installation may share the engine)
            logger.LogInformation("Removing container {Container} of deleted instance {Instance}", byInstance[id].Id, id);
            await client.DestroyContainerAsync(byInstance[id].Id, ct);
            if (await teams.FindAsync(known.TeamId, ct) is null) await instances.PurgeAsync(id, ct);
        }
    }

    private async Task Change(InstanceRow instance, string state, string? message, int? exitCode, CancellationToken ct, string? containerId = null)
    {
        if (instance.State == state && instance.Message == message && instance.ExitCode == exitCode) return;
        if (!await instances.UpdateObservedStateAsync(instance, state, message, containerId, exitCode, ct)) return; // changed meanwhile: next round
        await events.PublishAsync(new InstanceStateChanged(instance.Id, instance.Name, state, instance.State, message, exitCode), instance.TeamId, ct);
        if (instance.State != state)
        {
            metrics.StateChanged(state);
            logger.LogInformation("Instance {Instance} is {State} (was {Previous})", instance.Id, state, instance.State);
        }
    }
}
