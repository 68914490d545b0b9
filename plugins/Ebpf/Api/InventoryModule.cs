using System.Text.Json.Nodes;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>The seed's program and map routes, team-wide and per node.</summary>
public sealed class InventoryModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/teams/{teamId}/bpfprograms", (string teamId, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, ObjectStore objects, HttpContext http, CancellationToken ct) =>
            TeamListAsync(teamId, ObjectKinds.Program, page, caller, teams, objects, http, ct)).WithSummary("The team's eBPF programs on every node").RequirePermission("ebpf.inventory.read");

        app.MapGet("/api/v1/teams/{teamId}/bpfmaps", (string teamId, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, ObjectStore objects, HttpContext http, CancellationToken ct) =>
            TeamListAsync(teamId, ObjectKinds.Map, page, caller, teams, objects, http, ct)).WithSummary("The team's eBPF maps on every node").RequirePermission("ebpf.inventory.read");

        app.MapGet("/api/v1/teams/{teamId}/nodes/{nodeId}/bpfprograms", (string teamId, string nodeId, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, HttpContext http, CancellationToken ct) =>
            NodeListAsync(teamId, nodeId, ObjectKinds.Program, page, caller, teams, nodes, objects, http, ct)).WithSummary("A node's eBPF programs").RequirePermission("ebpf.inventory.read");

        app.MapGet("/api/v1/teams/{teamId}/nodes/{nodeId}/bpfmaps", (string teamId, string nodeId, [AsParameters] PageRequest page, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, HttpContext http, CancellationToken ct) =>
            NodeListAsync(teamId, nodeId, ObjectKinds.Map, page, caller, teams, nodes, objects, http, ct)).WithSummary("A node's eBPF maps").RequirePermission("ebpf.inventory.read");

        app.MapGet("/api/v1/teams/{teamId}/nodes/{nodeId}/bpfprograms/{programId}", (string teamId, string nodeId, string programId, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, HttpContext http, CancellationToken ct) =>
            OneAsync(teamId, nodeId, ObjectKinds.Program, programId, caller, teams, nodes, objects, http, ct)).WithSummary("One eBPF program of a node").RequirePermission("ebpf.inventory.read");

        app.MapGet("/api/v1/teams/{teamId}/nodes/{nodeId}/bpfmaps/{mapId}", (string teamId, string nodeId, string mapId, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, HttpContext http, CancellationToken ct) =>
            OneAsync(teamId, nodeId, ObjectKinds.Map, mapId, caller, teams, nodes, objects, http, ct)).WithSummary("One eBPF map of a node").RequirePermission("ebpf.inventory.read");
    }

    private static async Task<Results<Results<Ok<Page<JsonObject>>, Ok<IReadOnlyList<JsonObject>>>, ProblemHttpResult>> TeamListAsync(string teamId, string kind, PageRequest page, ICaller caller, ITeamService teams, ObjectStore objects, HttpContext http, CancellationToken ct)
    {
        if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
        return SeedProfile.List(http, ObjectViews.Page(await objects.ListAsync(teamId, null, kind, history: false, SeedProfile.Paging(http, page), ct)));
    }

    private static async Task<Results<Results<Ok<Page<JsonObject>>, Ok<IReadOnlyList<JsonObject>>>, ProblemHttpResult>> NodeListAsync(string teamId, string nodeId, string kind, PageRequest page, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, HttpContext http, CancellationToken ct)
    {
        if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
        var (id, ambiguous) = await SeedProfile.NodeIdAsync(http, nodes, teamId, nodeId, ct);
        if (ambiguous is not null) return ambiguous;
        if (await nodes.GetAsync(teamId, id!, withFeatures: false, ct) is null) return TeamAccess.NotFound("node");
        return SeedProfile.List(http, ObjectViews.Page(await objects.ListAsync(teamId, id, kind, history: false, SeedProfile.Paging(http, page), ct)));
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> OneAsync(string teamId, string nodeId, string kind, string id, ICaller caller, ITeamService teams, NodeStore nodes, ObjectStore objects, HttpContext http, CancellationToken ct)
    {
        if (!await TeamAccess.AllowsAsync(caller, teamId, teams, ct)) return TeamAccess.NotFound("team");
        (var resolved, var ambiguous) = await SeedProfile.NodeIdAsync(http, nodes, teamId, nodeId, ct);
        if (ambiguous is not null) return ambiguous;
        nodeId = resolved!;
        var what = kind == ObjectKinds.Program ? "program" : "map";
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var objectId))
            return TeamAccess.NotFound(what);
        var row = await objects.GetAsync(teamId, nodeId, kind, objectId, ct);
        return row is null ? TeamAccess.NotFound(what) : TypedResults.Ok(ObjectViews.From(row));
    }
}
