using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>Nodes: machines whose container engine the plugin drives. Shared by every team; host admins manage them.</summary>
public sealed class NodesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/nodes", async (NodeStore nodes, CancellationToken ct) =>
        {
            var views = new List<NodeView>();
            foreach (var node in await nodes.ListAsync(ct)) views.Add(NodeView.From(node, await nodes.UsageAsync(node.Id, ct)));
            return TypedResults.Ok(views);
        }).WithSummary("The nodes and their capacity").RequirePermission("compute.nodes.read");

        app.MapPost("/api/nodes/create", async Task<IResult> (Body<NewNode> body, NodeRegistry registry, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var spec = Read(body.Value, errors);
            if (spec is null) return errors.ToProblem();
            var (node, refused, conflict) = await registry.RegisterAsync(spec, ct);
            if (refused is not null) return refused.ToProblem();
            if (conflict is not null) return Problems.Conflict(conflict);
            return TypedResults.Json(NodeView.From(node!, new NodeUsage()), statusCode: StatusCodes.Status201Created);
        }).WithSummary("Register a node running a container engine (host admin)").Produces<NodeView>(StatusCodes.Status201Created).RequirePermission("compute.nodes.write").RequireHostAdmin();

        app.MapDelete("/api/nodes/delete", async Task<Results<Created<NodeDeletedView>, ValidationProblem, ProblemHttpResult>> (Body<NodeDeletion> body, NodeStore nodes, NodeRegistry registry, CancellationToken ct) =>
        {
            if ((body.Value.NodeId.Clean() ?? body.Value.Id.Clean()) is not { } id) return Problems.Field("nodeId", "is required");
            if (await nodes.FindAsync(id, ct) is not { } node) return Problems.Field("nodeId", $"no node '{id}'");
            if (await registry.DeleteAsync(node, body.Value.Force ?? false, ct) is { } conflict) return Problems.Conflict(conflict);
            return TypedResults.Created((string?)null, new NodeDeletedView("Node deleted", node.Id));
        }).WithSummary("Remove a node (with instances only when forced; host admin)").RequirePermission("compute.nodes.write").RequireHostAdmin();
    }

    /// <summary>The seed's string fields as sizes, cores and the engine's endpoint; null with <paramref name="errors"/> naming each bad field.</summary>
    private static NewNodeSpec? Read(NewNode body, FieldErrors errors)
    {
        string? error;
        var name = body.Name.Clean();
        if (name is null) errors.Add("name", "is required");
        else if (name.Length > 100) errors.Add("name", "must be at most 100 characters");
        var tags = (body.Tags ?? [])
            .SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
        var ram = ResourceSpec.ParseSize(body.Ram.Clean(), out error);
        if (error is not null) errors.Add("ram", error);
        var disk = ResourceSpec.ParseSize(body.Disk.Clean(), out error);
        if (error is not null) errors.Add("disk", error);
        var processor = ResourceSpec.ParseCpu(body.Processor.Clean(), out error);
        if (error is not null) errors.Add("processor", error + " (the number of cores instances may use)");
        int? port = null;
        if (body.Port.Clean() is { } portText)
        {
            port = ResourceSpec.ParsePort(portText, out error);
            if (error is not null) errors.Add("port", error);
        }
        var endpoint = EngineEndpoint.TryParse(body.Address.Clean(), port, body.Tls ?? true, out error);
        if (error is not null) errors.Add(error.StartsWith("port") ? "port" : "address", error);
        return errors.Any ? null : new NewNodeSpec(name!, tags, ram!.Value, disk!.Value, processor!.Value, endpoint!);
    }
}
