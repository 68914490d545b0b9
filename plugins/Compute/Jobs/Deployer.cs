using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Edgeplane.Abstractions.Events;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Compute.Jobs;

/// <summary>
/// The engine side of a deploy: make sure the node has the image (pull when missing), create the
/// container with the instance's limits, port bindings and labels, start it, and record
/// <c>running</c> — or <c>failed</c> with the engine's message, leaving no container behind.
/// </summary>
public sealed class Deployer(
    InstanceStore instances, NodeStore nodes, ImageStore images, HostPortMover ports, EngineClients clients, ComputeOptions options, ComputeMetrics metrics, IEventPublisher events, ILogger<Deployer> logger)
{
    /// <summary>How many times a deploy moves its chosen host ports when the node reports them in use.</summary>
    private const int PortMoves = 16;

    public const string InstanceLabel = "edgeplane.compute.instance";
    public const string NameLabel = "edgeplane.compute.name";
    public const string TeamLabel = "edgeplane.compute.team";

    public async Task DeployAsync(string instanceId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var instance = await instances.FindAsync(instanceId, ct);
        if (instance is null || instance.DeletedAt is not null || instance.State != InstanceState.Deploying) return;
        var node = await nodes.FindAsync(instance.NodeId, ct);
        if (node is null)
        {
            await instances.UpdateStateAsync(instance.Id, InstanceState.Failed, "the node no longer exists", ct: ct);
            return;
        }
        var client = clients.For(node);
        string? containerId = null;
        try
        {
            if (await client.InspectImageAsync(instance.ImageReference, ct) is null)
            {
                if (!options.PullMissingImages) throw new EngineException(404, $"image {instance.ImageReference} is not on node {node.Name} (pulling is disabled)");
                await client.PullImageAsync(instance.ImageReference, ct);
            }
            var image = await images.FindAsync(instance.ImageId, ct);
            var busy = new HashSet<(int, string)>();
            for (var moves = 0; ; moves++)
            {
                try
                {
                    containerId = await CreateAndStartAsync(client, instance, image?.CommandList, ct);
                    break;
                }
                catch (EngineException e) when (e.IsHostPortInUse && moves < PortMoves)
                {
                    await client.DestroyContainerAsync(instance.ContainerName, ct);
                    var (moved, error) = await ports.MoveAsync(instance, node, busy, ct);
                    if (moved is null) throw error is null ? e : new EngineException(e.StatusCode, error, e);
                    logger.LogInformation("Instance {Instance}: host port in use on node {Node} ({Message}); moved to {Ports}", instance.Id, node.Name, e.Message, string.Join(", ", moved.PortList));
                    instance = moved;
                }
            }
            var inspect = await client.InspectContainerAsync(containerId, ct);
            var state = inspect?.State;
            if (state is null || !state.Running)
                throw new EngineException(500, $"the container did not stay running: {state?.Status ?? "gone"} (exit code {state?.ExitCode}) {state?.Error}".Trim());
            await instances.UpdateStateAsync(instance.Id, InstanceState.Running, null, containerId, ct: ct);

            // Deleted (or its team deleted) while we were deploying: the delete could not see the container yet.
            if (await instances.FindAsync(instance.Id, ct) is not { DeletedAt: null })
                await client.DestroyContainerAsync(containerId, ct);
            metrics.Deployed(Stopwatch.GetElapsedTime(started), success: true);
            await events.PublishAsync(new InstanceRunning(instance.Id, instance.Name, instance.NodeId, containerId), instance.TeamId, ct);
        }
        catch (Exception e) when (e is EngineException or EngineUnreachableException)
        {
            logger.LogWarning("Deploy of instance {Instance} on node {Node} failed: {Message}", instance.Id, node.Name, e.Message);
            try
            {
                await client.DestroyContainerAsync(containerId ?? instance.ContainerName, ct);
            }
            catch (Exception cleanup) when (cleanup is EngineException or EngineUnreachableException)
            {
                logger.LogWarning("Could not remove the failed container of {Instance}: {Message}", instance.Id, cleanup.Message);
            }
            await instances.UpdateStateAsync(instance.Id, InstanceState.Failed, e.Message, ct: ct);
            metrics.Deployed(Stopwatch.GetElapsedTime(started), success: false);
            await events.PublishAsync(new InstanceFailed(instance.Id, instance.Name, instance.NodeId, e.Message), instance.TeamId, ct);
        }
    }

    /// <summary>Creates the container (replacing one an interrupted attempt left) and starts it: its id.</summary>
    private async Task<string> CreateAndStartAsync(DockerEngineClient client, InstanceRow instance, IReadOnlyList<string>? command, CancellationToken ct)
    {
        var request = BuildRequest(instance, command, options.PublishAddress);
        CreateContainerResponse created;
        try
        {
            created = await client.CreateContainerAsync(instance.ContainerName, request, ct);
        }
        catch (EngineException e) when (e.IsConflict)
        {
            await client.DestroyContainerAsync(instance.ContainerName, ct);
            created = await client.CreateContainerAsync(instance.ContainerName, request, ct);
        }
        await client.StartContainerAsync(created.Id, ct);
        return created.Id;
    }

    public static CreateContainerRequest BuildRequest(InstanceRow instance, IReadOnlyList<string>? command, string publishAddress)
    {
        var ports = instance.PortList;
        return new CreateContainerRequest
        {
            Image = instance.ImageReference,
            Cmd = command,
            // The instance name when it is a valid host name label (names may also hold '_' and '.').
            Hostname = Regex.IsMatch(instance.Name, "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$") ? instance.Name : null,
            Labels = new()
            {
                [InstanceLabel] = instance.Id,
                [NameLabel] = instance.Name,
                [TeamLabel] = instance.TeamId,
            },
            ExposedPorts = ports.ToDictionary(p => p.ContainerKey, _ => (object)new { }),
            HostConfig = new HostConfig
            {
                Memory = instance.MemoryBytes,
                MemorySwap = instance.MemoryBytes, // no swap beyond the limit
                NanoCpus = instance.NanoCpus,
                PortBindings = ports.ToDictionary(p => p.ContainerKey, p => (IReadOnlyList<PortBinding>)[new PortBinding(publishAddress, p.HostPort.ToString(CultureInfo.InvariantCulture))]),
                RestartPolicy = new RestartPolicy("no"),
            },
        };
    }
}
