using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Ebpf.Routes;

internal static class TeamAccess
{
    /// <summary>The team in the path must be the credential's team (host admins see every team); anything else is a 404.</summary>
    public static bool Allows(ICaller caller, string teamId) =>
        caller.IsAuthenticated && (string.Equals(caller.TeamId, teamId, StringComparison.Ordinal) || caller.IsHostAdmin);

    public static IResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found");

    public static IResult? BadPage(PageRequest page)
    {
        var errors = page.Validate();
        return errors.Count == 0 ? null : new FieldErrors().AddRange(errors).ToProblem();
    }

    public static async Task AuditAsync(HttpContext context, string action, string target, object? details = null)
    {
        var audit = context.RequestServices.GetService<IAuditLog>();
        if (audit is not null) await audit.RecordAsync(action, target, details, context.RequestAborted);
    }
}
