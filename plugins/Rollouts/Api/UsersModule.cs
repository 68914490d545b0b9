using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// The document's user administration, on mounts with the seed profile (where the whole table is one base URL; natively
/// users are the host's <c>/api/v1/users</c>): <c>GET /users</c> lists the team's members with their roles, <c>POST /users</c>
/// creates a user and makes it a member of the team with a role. Through the SDK's identity service, so the host's rules
/// hold: creating a user takes a host administrator's browser session.
/// </summary>
public sealed class UsersModule : ICarterModule
{
    public sealed record NewTeamUser(string? Username, string? Password, string? Email, string? Role);

    public sealed record TeamUserView(string Id, string Username, string? Email, string Role, bool Enabled, DateTimeOffset CreatedAt)
    {
        public static TeamUserView From(TeamMember m) => new(m.User.Id, m.User.Username, m.User.Email, m.Role, m.User.Enabled, m.User.CreatedAt);
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/users", ListAsync).WithSummary("The team's users and their roles").RequirePermission("rollouts.users.read").ForProfiles(ApiProfiles.Seed);
        app.MapPost("/api/v1/users", CreateAsync).WithSummary("Create a user in the team").RequirePermission("rollouts.users.write").RequireSession(SessionReasons.Users).ForProfiles(ApiProfiles.Seed);
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, IIdentityService identity, CancellationToken ct)
    {
        var members = await identity.ListTeamMembersAsync(ct);
        return TypedResults.Ok(new Page<TeamUserView>(members.Skip(page.Skip).Take(page.Take).Select(TeamUserView.From).ToList(), members.Count, page.Take, page.Skip));
    }

    private static async Task<IResult> CreateAsync(NewTeamUser body, IIdentityService identity, CancellationToken ct)
    {
        var role = body.Role ?? Roles.Viewer;
        var errors = new FieldErrors()
            .Check(!string.IsNullOrEmpty(body.Username), "username", "is required")
            .Check(!string.IsNullOrEmpty(body.Password), "password", "is required")
            .Check(Roles.Rank(role) >= 0, "role", "must be viewer, operator or admin");
        if (errors.Any) return errors.ToProblem();
        try
        {
            var user = await identity.CreateUserAsync(new NewUser(body.Username!, body.Password!, body.Email), ct);
            var member = await identity.SetTeamMemberAsync(user.Id, role, ct);
            return TypedResults.Created((string?)null, TeamUserView.From(member));
        }
        catch (IdentityValidationException e) when (e.IsConflict)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"{e.Field}: {e.Message}");
        }
        catch (IdentityValidationException e)
        {
            return new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }
}
