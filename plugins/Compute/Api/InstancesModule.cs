using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>The seed's instance routes (bodies, verbs and status codes as written), team-scoped.</summary>
public sealed class InstancesModule : ICarterModule
{
    /// <summary>Every row in one query: lists the document gives no paging to are never cut.</summary>
    private static readonly PageRequest Everything = new(int.MaxValue, 0);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        // Native: a page. Seed: the document's "List of instances", every one as a plain array like its other lists.
        app.MapGet("/api/instances", async Task<Results<Ok<Page<InstanceView>>, Ok<List<InstanceView>>>> ([AsParameters] PageRequest page, HttpContext http, ICaller caller, InstanceStore instances, ComputeOptions options, CancellationToken ct) =>
        {
            var seed = http.IsSeedProfile();
            var result = await instances.ListAsync(caller.IsHostAdmin ? null : caller.TeamId, null, seed ? Everything : page, ct);
            var views = result.Items.Select(i => InstanceView.From(i, options.PublishAddress)).ToList();
            if (seed) return TypedResults.Ok(views);
            return TypedResults.Ok(new Page<InstanceView>(views, result.Total, result.Limit, result.Offset));
        }).WithSummary("The team's instances").RequirePermission("compute.instances.read");

        app.MapPost("/api/instances/deploy", async Task<IResult> (Body<DeployRequest> body, DeployService deploys, IAuditLog audit, ComputeOptions options, CancellationToken ct) =>
        {
            var (instance, errors) = await deploys.DeployAsync(body.Value, ct);
            if (errors is not null) return errors.ToProblem();
            await audit.RecordAsync("compute.instance.deploy", instance!.Id, new { instance.Name, image = instance.ImageReference, instance.NodeId, instance.MemoryBytes, instance.NanoCpus, instance.Ports }, ct);
            return TypedResults.Json(InstanceView.From(instance, options.PublishAddress), statusCode: StatusCodes.Status201Created);
        }).WithSummary("Deploy an instance from a catalog image on a node").Produces<InstanceView>(StatusCodes.Status201Created).RequirePermission("compute.instances.write");

        app.MapDelete("/api/instance/delete", async Task<Results<Created<DeletedView>, ValidationProblem, ProblemHttpResult>> (Body<InstanceReference> body, InstanceService instances, InstanceStore store, NodeStore nodes, EngineClients clients, IAuditLog audit, ILogger<InstancesModule> logger, CancellationToken ct) =>
        {
            if (body.Value.Id.Clean() is not { } id) return Problems.Field("id", "is required");
            var instance = await instances.FindVisibleAsync(id, ct);
            if (instance is null) return Problems.Field("id", $"no instance '{id}'");
            if (instance.DeletedAt is null)
            {
                if (await nodes.FindAsync(instance.NodeId, ct) is { } node)
                {
                    try
                    {
                        await clients.For(node).DestroyContainerAsync(instance.ContainerId ?? instance.ContainerName, ct);
                    }
                    catch (EngineUnreachableException e)
                    {
                        // Deleted anyway; reconciliation removes the container when the node is back.
                        logger.LogWarning("Instance {Instance} deleted while node {Node} is unreachable: {Message}", instance.Id, node.Name, e.Message);
                    }
                    catch (EngineException e)
                    {
                        return TypedResults.Problem($"the engine refused to remove the container: {e.Message}", statusCode: 500, title: "Error deleting instance");
                    }
                }
                await store.MarkDeletedAsync(instance.Id, ct);
                await audit.RecordAsync("compute.instance.delete", instance.Id, new { instance.Name, instance.NodeId }, ct);
            }
            return TypedResults.Created((string?)null, new DeletedView("Instance deleted", instance.Id));
        }).WithSummary("Delete an instance and its container").RequirePermission("compute.instances.write");

        app.MapPost("/api/getUserInstance", async Task<IResult> (Body<UserInstancesQuery> body, ICaller caller, InstanceStore store, InstanceService instances, ComputeOptions options, CancellationToken ct) =>
        {
            if ((body.Value.UserId.Clean() ?? body.Value.User.Clean()) is not { } userKey) return Problems.Field("userId", "is required");
            var user = await instances.FindVisibleUserAsync(userKey, ct);
            if (user is null) return Problems.Field("userId", InstanceService.NoUser(userKey));
            var page = await store.ListAsync(caller.IsHostAdmin ? null : caller.TeamId, user.Id, Everything, ct);
            return TypedResults.Ok(page.Items.Select(i => InstanceView.From(i, options.PublishAddress)).ToList());
        }).WithSummary("A user's instances (the seed's lookup)").Produces<List<InstanceView>>().RequirePermission("compute.instances.read");

        app.MapPost("/api/getInstance", async Task<IResult> (Body<InstanceReference> body, InstanceService instances, ComputeOptions options, CancellationToken ct) =>
        {
            if (body.Value.Id.Clean() is not { } id) return Problems.Field("id", "is required");
            var instance = await instances.FindVisibleAsync(id, ct);
            if (instance is null || instance.DeletedAt is not null) return Problems.Field("id", $"no instance '{id}'");
            return TypedResults.Ok(InstanceView.From(instance, options.PublishAddress));
        }).WithSummary("One instance by id (the seed's lookup)").Produces<InstanceView>().RequirePermission("compute.instances.read");

        app.MapGet("/api/quota", async (ICaller caller, InstanceService instances, CancellationToken ct) =>
            TypedResults.Ok(QuotaView.From(await instances.QuotaAsync(caller.UserId!, ct)))).WithSummary("The team's quota and what it uses").RequirePermission("compute.instances.read");
    }
}
