using System.Text.Json.Nodes;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// The seed's <c>POST /auth/login</c>, <c>POST /auth/logout</c> and <c>GET /auth/me</c> under the plugin's
/// mount, on the SDK's <see cref="ISessionService"/>: the host's sessions (httpOnly cookie + CSRF token),
/// through the host's login limit and lockout (429).
/// </summary>
public sealed class AuthModule : ICarterModule
{
    public sealed record LoginRequest(string? Username, string? Password, string? TeamId);

    private static readonly Lazy<IReadOnlyList<string>> Permissions = new(() =>
    {
        var manifest = Path.Combine(Path.GetDirectoryName(typeof(AuthModule).Assembly.Location) ?? "", "plugin.json");
        return File.Exists(manifest) && JsonNode.Parse(File.ReadAllText(manifest))?["permissions"] is JsonArray list
            ? list.Select(p => (string?)p?["name"]).OfType<string>().ToList()
            : [];
    });

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth");
        auth.MapPost("/login", LoginAsync).WithSummary("Sign in with a username and password: a session").AllowAnonymous();
        auth.MapPost("/logout", LogoutAsync).WithSummary("End the caller's session").Produces(StatusCodes.Status204NoContent).RequireSession(SessionReasons.Logout).RequirePermission("rollouts.profile.read");
        auth.MapGet("/me", MeAsync).WithSummary("The caller").RequirePermission("rollouts.profile.read");
    }

    private static async Task<IResult> LoginAsync(LoginRequest body, HttpContext context, ISessionService sessions)
    {
        var errors = new FieldErrors()
            .Check(!string.IsNullOrEmpty(body.Username), "username", "is required")
            .Check(!string.IsNullOrEmpty(body.Password), "password", "is required");
        if (errors.Any) return errors.ToProblem();
        try
        {
            var session = await sessions.SignInAsync(context, body.Username!, body.Password!, body.TeamId);
            return session is null
                ? TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "wrong username or password, or the user is disabled")
                : TypedResults.Ok(new { user = session.User, session.TeamId, session.Role, session.CsrfToken, session.ExpiresAt });
        }
        catch (IdentityValidationException e)
        {
            return new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, ISessionService sessions)
    {
        await sessions.SignOutAsync(context);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MeAsync(ICaller caller, IIdentityService identity, CancellationToken ct) =>
        TypedResults.Ok(new
        {
            user = caller.UserId is null ? null : await identity.FindUserAsync(caller.UserId, ct),
            teamId = caller.TeamId,
            role = caller.Role,
            isHostAdmin = caller.IsHostAdmin,
            credential = caller.Credential,
            apiKeyId = caller.ApiKeyId,
            // This plugin's permissions the caller holds (the host's /api/v1/auth/me lists every plugin's).
            permissions = Permissions.Value.Where(caller.Has).ToList(),
        });
}
