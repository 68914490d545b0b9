using System.Text.Json.Nodes;
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

    /// <summary>A new session: its user, team and role, the CSRF token its writes send, and when it ends (the cookie carries the session).</summary>
    public sealed record SignedIn(UserInfo User, string TeamId, string Role, string CsrfToken, DateTimeOffset ExpiresAt);

    /// <summary>The caller, with the permissions of this plugin it holds (the host's <c>/api/v1/auth/me</c> lists every plugin's).</summary>
    public sealed record CallerView(UserInfo? User, string? TeamId, string? Role, bool IsHostAdmin, CredentialKind Credential, string? ApiKeyId, List<string> Permissions);

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
        auth.MapPost("/login", LoginAsync).WithSummary("Sign in with a username and password: a session").Produces<SignedIn>().AllowAnonymous();
        auth.MapPost("/logout", LogoutAsync).TakesNoBody().WithSummary("End the caller's session").Produces(StatusCodes.Status204NoContent).RequireSession(SessionReasons.Logout).RequirePermission("rollouts.profile.read");
        auth.MapGet("/me", MeAsync).WithSummary("The caller").Produces<CallerView>().RequirePermission("rollouts.profile.read");
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
                : TypedResults.Ok(new SignedIn(session.User, session.TeamId, session.Role, session.CsrfToken, session.ExpiresAt));
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
        TypedResults.Ok(new CallerView(caller.UserId is null ? null : await identity.FindUserAsync(caller.UserId, ct), caller.TeamId, caller.Role, caller.IsHostAdmin,
            caller.Credential, caller.ApiKeyId, Permissions.Value.Where(caller.Has).ToList()));
}
