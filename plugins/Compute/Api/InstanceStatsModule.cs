using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>Beyond the seed: a running instance's resource usage, sampled by the engine.</summary>
public sealed class InstanceStatsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/instances/{id}/stats", async Task<IResult> (string id, InstanceService instances, NodeStore nodes, EngineClients clients, CancellationToken ct) =>
        {
            if (await instances.FindVisibleAsync(id, ct) is not { DeletedAt: null } instance) return Problems.NotFound($"instance {id}");
            if (instance.State != InstanceState.Running || instance.ContainerId is null) return Problems.Conflict($"instance {id} is {instance.State}, not running");
            if (await nodes.FindAsync(instance.NodeId, ct) is not { } node) return Problems.Conflict($"the node of instance {id} no longer exists");
            try
            {
                return TypedResults.Ok(StatsView.From(await clients.For(node).GetStatsAsync(instance.ContainerId, ct)));
            }
            catch (EngineUnreachableException e)
            {
                return Problems.Unavailable(e.Message);
            }
            catch (EngineException e)
            {
                return e.IsNotFound ? Problems.Conflict($"the container of instance {id} no longer exists") : Problems.Engine(e.Message);
            }
        }).WithSummary("An instance's container resource usage").Produces<StatsView>().RequirePermission("compute.instances.read");
    }
}
