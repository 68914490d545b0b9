using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>Starts and ends cookie sessions: the host's own login route and plugins' login routes share it (and its <see cref="LoginThrottle"/>).</summary>
public sealed class SessionService(IdentityService identity, CredentialStore store, LoginThrottle throttle) : ISessionService
{
    public async Task<SessionInfo?> SignInAsync(HttpContext context, string username, string password, string? teamId = null)
    {
        throttle.Enter();
        var user = await identity.VerifyPasswordAsync(username, password, context.RequestAborted);
        if (user is null)
        {
            throttle.Failed();
            return null;
        }
        teamId ??= user.PersonalTeamId;
        var memberships = await identity.ListMembershipsAsync(user.Id, context.RequestAborted);
        var membership = memberships.FirstOrDefault(m => m.TeamId == teamId);
        if (membership is null && !user.IsHostAdmin)
            throw new IdentityValidationException("teamId", "the user is not a member of this team");

        var (token, csrf, expires) = await store.CreateSessionAsync(user.Id, teamId, context.RequestAborted);
        // the CSRF cookie is readable by the page's script, which echoes it in X-CSRF-Token
        CookieOptions Cookie(bool httpOnly) => new() { HttpOnly = httpOnly, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Expires = expires, Path = "/" };
        context.Response.Cookies.Append(SessionCookies.Session, token, Cookie(httpOnly: true));
        context.Response.Cookies.Append(SessionCookies.Csrf, csrf, Cookie(httpOnly: false));
        return new SessionInfo(user, teamId, membership?.Role ?? Roles.Admin, csrf, expires);
    }

    public async Task SignOutAsync(HttpContext context)
    {
        if (context.User.FindFirst(EdgeplaneClaims.SessionId)?.Value is { } sessionId)
            await store.EndSessionAsync(sessionId, context.RequestAborted);
        context.Response.Cookies.Delete(SessionCookies.Session);
        context.Response.Cookies.Delete(SessionCookies.Csrf);
    }
}
