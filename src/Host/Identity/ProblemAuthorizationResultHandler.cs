using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Answers what authorization refused, as problem details: 401 (or 429 after too many failed attempts) when
/// <see cref="CredentialMiddleware"/> found no valid credential, 403 naming what was missing when it did.
/// The host registers no authentication scheme: this is the only place that challenges or forbids.
/// </summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged) return ChallengeAsync(context);
        if (result.Forbidden) return ForbidAsync(context, result.AuthorizationFailure);
        return next(context);
    }

    private Task ChallengeAsync(HttpContext context)
    {
        var (message, status) = CredentialAuthenticator.FailureOf(context)
            ?? ("this route needs a credential: an API key (Authorization: Bearer, X-API-Key) or a session", StatusCodes.Status401Unauthorized);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        if (status == StatusCodes.Status429TooManyRequests) context.Response.Headers.RetryAfter = "60";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = status == 401 ? "Unauthorized" : "Too many failed attempts", Detail = message },
        }).AsTask();
    }

    private Task ForbidAsync(HttpContext context, AuthorizationFailure? failure)
    {
        var caller = context.RequestServices.GetRequiredService<ICaller>();
        var failed = failure?.FailedRequirements.ToList() ?? [];
        var missing = failed.OfType<PermissionRequirement>().Select(r => r.Permission).ToList();
        var reasons = failed.Select(r => r switch
        {
            PermissionRequirement p => $"This route requires permission '{p.Permission}', which role '{caller.Role}' does not hold",
            SessionRequirement { Reason: { } reason } => reason,
            SessionRequirement => "This route needs a signed-in browser session: an API key cannot use it",
            HostAdminRequirement => "This route is for host administrators: it acts on every team, or on what every team shares",
            _ => null,
        }).OfType<string>().ToList();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        var problem = new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = 403,
                Title = "Forbidden",
                Detail = reasons.Count > 0 ? string.Join("; ", reasons) : "The credential may not use this route",
            },
        };
        if (missing.Count > 0) problem.ProblemDetails.Extensions["permission"] = missing[0];
        return problems.WriteAsync(problem).AsTask();
    }
}
