using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>Beyond the seed: one instance and its power actions (REST paths; 404 for what the caller cannot see).</summary>
public sealed class InstanceModule : ICarterModule
{
    private static readonly string[] Actions = ["start", "stop", "restart", "kill"];

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/instances/{id}", async (string id, InstanceService instances, ComputeOptions options, CancellationToken ct) =>
            await instances.FindVisibleAsync(id, ct) is { DeletedAt: null } instance
                ? (IResult)TypedResults.Ok(InstanceView.From(instance, options.PublishAddress))
                : Problems.NotFound($"instance {id}")).WithSummary("One instance of the caller's team").Produces<InstanceView>().RequirePermission("compute.instances.read");

        app.MapPost("/api/instances/{id}/{action}", async Task<IResult> (string id, string action, InstanceService instances, InstanceStore store, NodeStore nodes, EngineClients clients,
            ComputeOptions options, IAuditLog audit, CancellationToken ct) =>
        {
            if (!Actions.Contains(action)) return Problems.NotFound($"action {action}");
            if (await instances.FindVisibleAsync(id, ct) is not { DeletedAt: null } instance) return Problems.NotFound($"instance {id}");
            if (instance.State is InstanceState.Deploying or InstanceState.Failed or InstanceState.Missing || instance.ContainerId is null)
                return Problems.Conflict($"instance {id} is {instance.State}: there is no container to {action}");
            if (await nodes.FindAsync(instance.NodeId, ct) is not { } node) return Problems.Conflict($"the node of instance {id} no longer exists");
            try
            {
                await PowerAsync(clients.For(node), instance, action, options, store, ct);
            }
            catch (EngineUnreachableException e)
            {
                return Problems.Unavailable(e.Message);
            }
            catch (EngineException e) when (e.IsNotFound)
            {
                await store.UpdateStateAsync(instance.Id, InstanceState.Missing, "the container no longer exists on the engine", ct: ct);
                return Problems.Conflict($"the container of instance {id} no longer exists");
            }
            catch (EngineException e)
            {
                return Problems.Engine(e.Message);
            }
            await audit.RecordAsync($"compute.instance.{action}", instance.Id, null, ct);
            var updated = await store.FindAsync(instance.Id, ct);
            return TypedResults.Ok(InstanceView.From(updated!, options.PublishAddress));
        }).WithSummary("Start, stop or restart an instance's container").TakesNoBody().Produces<InstanceView>().RequirePermission("compute.instances.write");
    }

    /// <summary>Runs the action on the container and records the state the engine then reports.</summary>
    private static async Task PowerAsync(DockerEngineClient client, InstanceRow instance, string action, ComputeOptions options, InstanceStore store, CancellationToken ct)
    {
        var container = instance.ContainerId!;
        await (action switch
        {
            "start" => client.StartContainerAsync(container, ct),
            "stop" => client.StopContainerAsync(container, options.StopTimeout, ct),
            "restart" => client.RestartContainerAsync(container, options.StopTimeout, ct),
            _ => client.KillContainerAsync(container, cancellationToken: ct),
        });
        var inspect = await client.InspectContainerAsync(container, ct);
        var desired = action is "stop" or "kill" ? InstanceState.Stopped : InstanceState.Running;
        var state = inspect?.State is { } s ? ObservedState.Of(s.Status, desired) : InstanceState.Missing;
        int? exitCode = state is InstanceState.Stopped or InstanceState.Exited ? inspect?.State?.ExitCode : null;
        await store.UpdateStateAsync(instance.Id, state, null, exitCode: exitCode, desiredState: desired, ct: ct);
    }
}
