using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Ebpf.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Ebpf.Routes;

public sealed record TeamUpdate(string? Name);

/// <summary>The seed's team routes: the host team as the eBPF inventory sees it.</summary>
public sealed class TeamModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/teams/{teamId}", async (string teamId, ICaller caller, EbpfStore store, HttpContext context, CancellationToken ct) =>
        {
            if (!TeamAccess.Allows(caller, teamId)) return TeamAccess.NotFound("team");
            return TypedResults.Ok(await ViewAsync(teamId, caller, store, context, ct));
        }).RequirePermission("ebpf.team.read");

        app.MapPost("/api/v1/teams/{teamId}", async (string teamId, TeamUpdate? body, ICaller caller, EbpfStore store, TimeProvider clock, HttpContext context, CancellationToken ct) =>
        {
            if (!TeamAccess.Allows(caller, teamId)) return TeamAccess.NotFound("team");
            var name = body?.Name?.Trim();
            var errors = new FieldErrors();
            errors.Check(!string.IsNullOrEmpty(name), "name", "is required");
            errors.Check(name is null || name.Length <= 100, "name", "must be at most 100 characters");
            errors.Check(name is null || !name.Any(char.IsControl), "name", "must not contain control characters");
            if (errors.Any) return errors.ToProblem();
            await store.SetTeamNameAsync(teamId, name!, clock.GetUtcNow(), ct);
            await TeamAccess.AuditAsync(context, "ebpf.team.update", teamId, new { name });
            return TypedResults.Ok(await ViewAsync(teamId, caller, store, context, ct));
        }).RequirePermission("ebpf.team.write");

        app.MapDelete("/api/v1/teams/{teamId}", async (string teamId, ICaller caller, EbpfStore store, HttpContext context, CancellationToken ct) =>
        {
            if (!TeamAccess.Allows(caller, teamId)) return TeamAccess.NotFound("team");
            var (nodes, objects) = await store.DeleteTeamAsync(teamId, ct);
            await TeamAccess.AuditAsync(context, "ebpf.team.delete", teamId, new { nodes, objects });
            return TypedResults.NoContent();
        }).RequirePermission("ebpf.team.delete");
    }

    private static async Task<TeamView> ViewAsync(string teamId, ICaller caller, EbpfStore store, HttpContext context, CancellationToken ct)
    {
        var name = await store.TeamNameAsync(teamId, ct);
        if (name is null && caller.UserId is { } userId && context.RequestServices.GetService<IIdentityService>() is { } identity)
        {
            var memberships = await identity.ListMembershipsAsync(userId, ct);
            name = memberships.FirstOrDefault(m => m.TeamId == teamId)?.TeamName;
        }
        var (nodes, programs, maps) = await store.TeamCountsAsync(teamId, ct);
        return new TeamView(teamId, name ?? teamId, nodes, programs, maps);
    }
}
