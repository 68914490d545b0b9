using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary><c>GET/PATCH /profile</c>: the caller's user (the host's identity) and console settings.</summary>
public sealed class ProfileModule : ICarterModule
{
    public sealed record ProfilePatch(string? DisplayName, string? Timezone, string? CurrentPassword, string? NewPassword);

    /// <summary>The caller's user, console settings, current team and role, and every team the user belongs to.</summary>
    public sealed record ProfileView(string? UserId, string? Username, string? Email, string? DisplayName, string Timezone, string? TeamId, string? Role, bool IsHostAdmin,
        CredentialKind Credential, IReadOnlyList<TeamMembership> Teams);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/profile", GetAsync).WithSummary("The caller's profile").Produces<ProfileView>().RequirePermission("rollouts.profile.read");
        app.MapPatch("/api/v1/profile", PatchAsync).WithSummary("Change the caller's profile").Produces<ProfileView>().RequirePermission("rollouts.profile.write");
    }

    private static async Task<IResult> GetAsync(ICaller caller, IIdentityService identity, ProfileStore profiles, CancellationToken ct) =>
        TypedResults.Ok(await ViewAsync(caller, identity, profiles, ct));

    private static async Task<ProfileView> ViewAsync(ICaller caller, IIdentityService identity, ProfileStore profiles, CancellationToken ct)
    {
        var user = await identity.FindUserAsync(caller.UserId!, ct);
        var profile = await profiles.FindAsync(caller.UserId!);
        var memberships = await identity.ListMembershipsAsync(caller.UserId!, ct);
        return new ProfileView(caller.UserId, user?.Username ?? caller.Username, user?.Email, profile?.DisplayName ?? user?.Username ?? caller.Username,
            profile?.Timezone ?? "UTC", caller.TeamId, caller.Role, caller.IsHostAdmin, caller.Credential, memberships);
    }

    private static async Task<IResult> PatchAsync(ProfilePatch body, ICaller caller, IIdentityService identity, ProfileStore profiles, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors()
            .Check(body.DisplayName is null || body.DisplayName.Trim().Length is > 0 and <= 100, "displayName", "must be 1-100 characters")
            .Check(body.Timezone is null || IsTimezone(body.Timezone), "timezone", "must be an IANA time zone such as Europe/Berlin")
            .Check(body.NewPassword is null || body.CurrentPassword is not null, "currentPassword", "is required to set a new password");
        if (errors.Any) return errors.ToProblem();
        if (body.NewPassword is not null && caller.Credential != CredentialKind.Session)
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "changing the password needs a signed-in session: an API key cannot do it");
        if (body.NewPassword is not null)
        {
            try
            {
                if (!await identity.ChangePasswordAsync(body.CurrentPassword!, body.NewPassword, ct))
                    return new FieldErrors().Add("currentPassword", "is wrong").ToProblem();
            }
            catch (IdentityValidationException e)
            {
                return new FieldErrors().Add(e.Field, e.Message).ToProblem();
            }
        }
        if (body.DisplayName is not null || body.Timezone is not null)
        {
            var current = await profiles.FindAsync(caller.UserId!) ?? new ProfileRow { UserId = caller.UserId!, DisplayName = caller.Username ?? "" };
            if (body.DisplayName is not null) current.DisplayName = body.DisplayName.Trim();
            if (body.Timezone is not null) current.Timezone = body.Timezone;
            current.UpdatedAt = clock.GetUtcNow();
            await profiles.SaveAsync(current);
        }
        return TypedResults.Ok(await ViewAsync(caller, identity, profiles, ct));
    }

    private static bool IsTimezone(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return id.Length <= 64;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
