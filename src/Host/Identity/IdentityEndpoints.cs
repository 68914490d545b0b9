using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>Sign-in, the current caller, users, teams, memberships and API keys: <c>/api/v1/…</c>.</summary>
public static class IdentityEndpoints
{
    public static void MapIdentity(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("host").RequireAuthorization().ValidateRequests();

        api.MapPost("/auth/login", LoginAsync).AllowAnonymous();
        api.MapPost("/auth/logout", LogoutAsync).RequireSession(SessionReasons.Logout);
        api.MapGet("/auth/me", MeAsync);
        api.MapPost("/auth/password", ChangePasswordAsync).RequireSession(SessionReasons.Password);

        api.MapPost("/users", CreateUserAsync).RequireSession(SessionReasons.CreateUsers).RequireHostAdmin();
        api.MapGet("/users", ListUsersAsync).RequireHostAdmin();
        api.MapPatch("/users/{userId}", UpdateUserAsync).RequireSession(SessionReasons.ChangeUsers).RequireHostAdmin();

        api.MapPost("/teams", TeamEndpoints.CreateAsync).RequireSession(SessionReasons.Teams);
        api.MapGet("/teams", TeamEndpoints.ListAsync);
        api.MapPatch("/teams/{teamId}", TeamEndpoints.RenameAsync).RequireSession(SessionReasons.Teams);
        api.MapDelete("/teams/{teamId}", TeamEndpoints.DeleteAsync).RequireSession(SessionReasons.Teams);
        api.MapGet("/teams/{teamId}/members", TeamEndpoints.MembersAsync).RequirePermission("host.teams.read");
        api.MapPut("/teams/{teamId}/members/{userId}", TeamEndpoints.SetMemberAsync).RequireSession(SessionReasons.Members);
        api.MapDelete("/teams/{teamId}/members/{userId}", TeamEndpoints.RemoveMemberAsync).RequireSession(SessionReasons.Members);

        api.MapOrganizations();

        api.MapPost("/api-keys", CreateKeyAsync).RequireSession(SessionReasons.ApiKeys);
        api.MapGet("/api-keys", ListKeysAsync);
        api.MapDelete("/api-keys/{keyId}", RevokeKeyAsync).RequireSession(SessionReasons.ApiKeys);
    }

    public sealed record LoginRequest(string? Username, string? Password, string? TeamId);
    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);
    public sealed record UserUpdate(bool? Enabled, bool? IsHostAdmin);
    /// <summary><see cref="HostAdmin"/>: the key administers the whole host (only a host admin may ask).</summary>
    public sealed record KeyRequest(string? Name, string? TeamId, string? Role, DateTimeOffset? ExpiresAt, bool? HostAdmin);

    private static async Task<IResult> LoginAsync(LoginRequest body, HttpContext context, SessionService sessions)
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
                : TypedResults.Ok(new { user = UserView.From(session.User), session.TeamId, session.Role, session.CsrfToken, session.ExpiresAt });
        }
        catch (IdentityValidationException e)
        {
            return new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, SessionService sessions)
    {
        await sessions.SignOutAsync(context);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MeAsync(ICaller caller, IdentityService identity, PermissionRegistry permissions, CancellationToken ct)
    {
        var user = await identity.FindUserAsync(caller.UserId!, ct);
        return TypedResults.Ok(new
        {
            user = user is null ? null : UserView.From(user),
            teamId = caller.TeamId,
            role = caller.Role,
            isHostAdmin = caller.IsHostAdmin,
            credential = caller.Credential,
            apiKeyId = caller.ApiKeyId,
            permissions = permissions.For(caller.IsHostAdmin ? Roles.Admin : caller.Role ?? Roles.Viewer),
        });
    }

    private static async Task<IResult> ChangePasswordAsync(PasswordChange body, IIdentityService identity, CancellationToken ct)
    {
        try
        {
            return await identity.ChangePasswordAsync(body.CurrentPassword ?? "", body.NewPassword ?? "", ct)
                ? TypedResults.NoContent()
                : new FieldErrors().Add("currentPassword", "is wrong").ToProblem();
        }
        catch (IdentityValidationException e)
        {
            return new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    private static async Task<IResult> CreateUserAsync(NewUser body, IdentityService identity, CancellationToken ct)
    {
        try
        {
            var user = await identity.CreateUserAsync(body, ct);
            return TypedResults.Created($"/api/v1/users/{user.Id}", UserView.From(user));
        }
        catch (IdentityValidationException e)
        {
            return e.IsConflict
                ? TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"username {e.Message}")
                : new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    private static async Task<IResult> ListUsersAsync(IdentityService identity, CancellationToken ct) =>
        TypedResults.Ok((await identity.ListUsersAsync(ct)).Select(UserView.From));

    private static async Task<IResult> UpdateUserAsync(string userId, UserUpdate body, IdentityService identity, CancellationToken ct)
    {
        if (await identity.FindUserAsync(userId, ct) is not { } user) return TypedResults.NotFound();
        if (body.Enabled is { } enabled) await identity.SetUserEnabledAsync(user.Id, enabled, ct);
        if (body.IsHostAdmin is { } admin) await identity.SetHostAdminAsync(user.Id, admin, ct);
        return TypedResults.Ok(UserView.From((await identity.FindUserAsync(user.Id, ct))!));
    }

    private static async Task<IResult> CreateKeyAsync(KeyRequest body, ICaller caller, IdentityService identity, CancellationToken ct)
    {
        var hostAdmin = body.HostAdmin == true;
        if (hostAdmin && !caller.IsHostAdmin)
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "only a host admin may mint a key with hostAdmin: true");
        try
        {
            var issued = await identity.StoreApiKeyAsync(Secrets.Generate(IdentityService.KeyPrefix), caller.UserId!, body.TeamId ?? caller.TeamId!,
                body.Role ?? Roles.Viewer, body.Name ?? "", body.ExpiresAt, hostAdmin, ct);
            return TypedResults.Created($"/api/v1/api-keys/{issued.Key.Id}", new { key = issued.Key, plaintext = issued.Plaintext });
        }
        catch (IdentityValidationException e)
        {
            return new FieldErrors().Add(e.Field, e.Message).ToProblem();
        }
    }

    private static async Task<IResult> ListKeysAsync(ICaller caller, IdentityService identity, CancellationToken ct) =>
        TypedResults.Ok(await identity.ListApiKeysAsync(caller.UserId!, ct));

    private static async Task<IResult> RevokeKeyAsync(string keyId, ICaller caller, IdentityService identity, CancellationToken ct)
    {
        var key = await identity.FindApiKeyAsync(keyId, ct);
        if (key is null || (key.UserId != caller.UserId && !caller.IsHostAdmin)) return TypedResults.NotFound();
        await identity.RevokeApiKeyAsync(keyId, ct);
        return TypedResults.NoContent();
    }

    public sealed record UserView(string Id, string Username, string? Email, bool IsHostAdmin, bool Enabled, string PersonalTeamId, DateTimeOffset CreatedAt)
    {
        public static UserView From(UserInfo u) => new(u.Id, u.Username, u.Email, u.IsHostAdmin, u.Enabled, u.PersonalTeamId, u.CreatedAt);
    }
}
