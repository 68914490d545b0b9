using System.Text.Json.Nodes;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>Nodes of a team: list, detail with the feature report, removal, history.</summary>
public sealed class NodesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/teams/{teamId}/nodes", async Task<Results<Results<Ok<Page<NodeView>>, Ok<IReadOnlyList<NodeView>>>, ProblemHttpResult>> (string teamId, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, NodeStore nodes, EbpfOptions options, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            var listed = await nodes.ListAsync(teamId, SeedProfile.Paging(http, page), ct);
            var now = clock.GetUtcNow();
            return SeedProfile.List(http, new Page<NodeView>(listed.Items.Select(n => NodeView.From(n, now, options, withFeatures: false)).ToList(), listed.Total, listed.Limit, listed.Offset));
        }).WithSummary("The team's nodes").RequirePermission("ebpf.inventory.read");

        app.MapGet("/api/v1/teams/{teamId}/nodes/{nodeId}", async Task<Results<Ok<NodeView>, ProblemHttpResult>> (string teamId, string nodeId, ICaller caller, ITeamService teams, NodeStore nodes, EbpfOptions options, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            var (id, ambiguous) = await SeedProfile.NodeIdAsync(http, nodes, teamId, nodeId, ct);
            if (ambiguous is not null) return ambiguous;
            var node = await nodes.GetAsync(teamId, id!, withFeatures: true, ct);
            return node is null ? TeamAccess.NotFound("node") : TypedResults.Ok(NodeView.From(node, clock.GetUtcNow(), options, withFeatures: true));
        }).WithSummary("One node with its kernel features").RequirePermission("ebpf.inventory.read");

        app.MapDelete("/api/v1/teams/{teamId}/nodes/{nodeId}", async Task<Results<Ok<DeletedView>, NoContent, ProblemHttpResult>> (string teamId, string nodeId, ICaller caller, ITeamService teams, NodeStore nodes, HttpContext context, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            var (id, ambiguous) = await SeedProfile.NodeIdAsync(context, nodes, teamId, nodeId, ct);
            if (ambiguous is not null) return ambiguous;
            if (!await nodes.DeleteAsync(teamId, id!, ct)) return TeamAccess.NotFound("node");
            await TeamAccess.AuditAsync(context, "ebpf.node.delete", id!, new { teamId });
            if (context.IsSeedProfile()) return TypedResults.Ok(new DeletedView(id!, Deleted: true));
            return TypedResults.NoContent();
        }).WithSummary("Remove a node and its inventory").RequirePermission("ebpf.nodes.delete");

        app.MapGet("/api/v1/teams/{teamId}/nodes/{nodeId}/history", async Task<Results<Ok<Page<JsonObject>>, ValidationProblem, ProblemHttpResult>> (string teamId, string nodeId, string? kind, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, CancellationToken ct) =>
        {
            if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
            if (kind is not (null or ObjectKinds.Program or ObjectKinds.Map))
                return new FieldErrors().Add("kind", "must be 'program' or 'map'").ToProblem();
            if (await nodes.GetAsync(teamId, nodeId, withFeatures: false, ct) is null) return TeamAccess.NotFound("node");
            var rows = await objects.ListAsync(teamId, nodeId, kind, history: true, page, ct);
            return TypedResults.Ok(new Page<JsonObject>(rows.Items.Select(ObjectViews.History).ToList(), rows.Total, rows.Limit, rows.Offset));
        }).WithSummary("A node's inventory changes").RequirePermission("ebpf.inventory.read");
    }
}
