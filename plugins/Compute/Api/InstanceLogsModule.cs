using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>Beyond the seed: an instance's log, stdout and stderr as text, optionally followed.</summary>
public sealed class InstanceLogsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/instances/{id}/logs", async Task<Results<LogResult, ValidationProblem, ProblemHttpResult>> (string id, int? tail, bool? follow, bool? timestamps, HttpContext http, InstanceService instances, NodeStore nodes, EngineClients clients) =>
        {
            var ct = http.RequestAborted;
            if (tail is < 0 or > 100_000) return Problems.Field("tail", "must be between 0 and 100000");
            if (await instances.FindVisibleAsync(id, ct) is not { DeletedAt: null } instance) return Problems.NotFound($"instance {id}");
            if (instance.ContainerId is null) return Problems.Conflict($"instance {id} is {instance.State}: it has no container");
            if (await nodes.FindAsync(instance.NodeId, ct) is not { } node) return Problems.Conflict($"the node of instance {id} no longer exists");
            var frames = clients.For(node).GetLogsAsync(instance.ContainerId, tail ?? 100, follow ?? false, timestamps ?? false, ct).GetAsyncEnumerator(ct);
            bool any;
            try
            {
                any = await frames.MoveNextAsync(); // engine errors surface before the response starts
            }
            catch (EngineUnreachableException e)
            {
                await frames.DisposeAsync();
                return Problems.Unavailable(e.Message);
            }
            catch (EngineException e)
            {
                await frames.DisposeAsync();
                return e.IsNotFound ? Problems.Conflict($"the container of instance {id} no longer exists") : Problems.Engine(e.Message);
            }
            return new LogResult(frames, any);
        }).WithSummary("An instance's container logs (optionally followed)").RequirePermission("compute.instances.read");
    }
}
