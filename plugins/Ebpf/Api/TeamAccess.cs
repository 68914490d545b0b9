using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Ebpf.Api;

internal static class TeamAccess
{
    /// <summary>The team in the path must be the credential's team (host admins see every team); anything else is a 404.</summary>
    public static bool Allows(ICaller caller, string teamId) =>
        caller.IsAuthenticated && (string.Equals(caller.TeamId, teamId, StringComparison.Ordinal) || caller.IsHostAdmin);

    /// <summary>
    /// <see cref="Allows"/>, and the host has the team: a host admin naming a team that does not exist gets the same
    /// 404 as <c>GET /teams/{teamId}</c>, not an empty list (a credential's own team exists while the credential does).
    /// </summary>
    public static async Task<bool> AllowsAsync(ICaller caller, string teamId, ITeamService teams, CancellationToken ct) =>
        Allows(caller, teamId) && (string.Equals(caller.TeamId, teamId, StringComparison.Ordinal) || await teams.FindAsync(teamId, ct) is not null);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found");

    public static async Task AuditAsync(HttpContext context, string action, string target, object? details = null)
    {
        var audit = context.RequestServices.GetService<IAuditLog>();
        if (audit is not null) await audit.RecordAsync(action, target, details, context.RequestAborted);
    }
}
