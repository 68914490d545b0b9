using Edgeplane.Plugins.Ebpf.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Ebpf.Api;

public sealed record TeamUpdate(string? Name);

/// <summary>
/// The seed's team routes. The seed's team is the host team the API key is bound to: <c>GET</c> answers
/// its name, <c>POST</c> renames it and <c>DELETE</c> deletes it (through <see cref="ITeamService"/>)
/// with all of this plugin's data for it.
/// </summary>
public sealed class TeamModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/teams/{teamId}", async Task<Results<Ok<TeamView>, ProblemHttpResult>> (string teamId, ICaller caller, ITeamService teams, TeamStore teamData, CancellationToken ct) =>
        {
            if (!TeamAccess.Allows(caller, teamId)) return TeamAccess.NotFound("team");
            var team = await teams.FindAsync(teamId, ct);
            return team is null ? TeamAccess.NotFound("team") : TypedResults.Ok(await ViewAsync(team, teamData, ct));
        }).WithSummary("The team and its inventory counts").RequirePermission("ebpf.team.read");

        app.MapPost("/api/v1/teams/{teamId}", async Task<Results<Ok<TeamView>, ValidationProblem, ProblemHttpResult>> (string teamId, TeamUpdate? body, ICaller caller, ITeamService teams, TeamStore teamData, HttpContext context, CancellationToken ct) =>
        {
            if (!TeamAccess.Allows(caller, teamId)) return TeamAccess.NotFound("team");
            var name = body?.Name?.Trim();
            var errors = new FieldErrors();
            errors.Check(!string.IsNullOrEmpty(name), "name", "is required");
            errors.Check(name is null || name.Length is >= 2 and <= 100, "name", "must be 2 to 100 characters");
            errors.Check(name is null || !name.Any(char.IsControl), "name", "must not contain control characters");
            if (errors.Any) return errors.ToProblem();
            TeamInfo? team;
            try
            {
                team = await teams.RenameAsync(teamId, name!, ct);
            }
            catch (IdentityValidationException e) when (e.IsConflict)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: e.Message);
            }
            catch (IdentityValidationException e)
            {
                return new FieldErrors().Add("name", e.Message).ToProblem();
            }
            if (team is null) return TeamAccess.NotFound("team");
            await teamData.ClearDisplayNameAsync(teamId, ct); // a name kept by earlier versions of the plugin
            await TeamAccess.AuditAsync(context, "ebpf.team.update", teamId, new { name });
            return TypedResults.Ok(await ViewAsync(team, teamData, ct));
        }).WithSummary("Rename the team").RequirePermission("ebpf.team.write");

        // The host team is deleted first: when the host refuses (a user's personal team, 409) nothing has
        // changed. The host then publishes host.team.deleted, on which TeamDeletedHandler deletes this
        // plugin's data for the team in one transaction; the route deletes again (idempotent) so the data
        // is gone when it answers even if that handler failed.
        app.MapDelete("/api/v1/teams/{teamId}", async Task<Results<Ok<DeletedView>, NoContent, ProblemHttpResult>> (string teamId, ICaller caller, ITeamService teams, TeamStore teamData, HttpContext context, CancellationToken ct) =>
        {
            if (!TeamAccess.Allows(caller, teamId)) return TeamAccess.NotFound("team");
            bool deleted;
            try
            {
                deleted = await teams.DeleteAsync(teamId, ct);
            }
            catch (IdentityValidationException e)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Team cannot be deleted", detail: $"The team {e.Message}.");
            }
            var (nodes, objects) = await teamData.DeleteAsync(teamId, ct);
            if (!deleted && nodes == 0 && objects == 0) return TeamAccess.NotFound("team");
            await TeamAccess.AuditAsync(context, "ebpf.team.delete", teamId, new { hostTeamDeleted = deleted });
            if (context.IsSeedProfile()) return TypedResults.Ok(new DeletedView(teamId, Deleted: true));
            return TypedResults.NoContent();
        }).WithSummary("Delete the team and its eBPF inventory").RequirePermission("ebpf.team.delete");
    }

    private static async Task<TeamView> ViewAsync(TeamInfo team, TeamStore teamData, CancellationToken ct)
    {
        var (nodes, programs, maps) = await teamData.CountsAsync(team.Id, ct);
        return new TeamView(team.Id, team.Name, nodes, programs, maps);
    }
}
