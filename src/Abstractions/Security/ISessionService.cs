using Microsoft.AspNetCore.Http;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// The host's browser sessions, for plugins whose API document has its own login route. A session is
/// an httpOnly SameSite=Strict cookie plus a CSRF token that unsafe requests echo in <c>X-CSRF-Token</c>.
/// Every sign-in goes through the host's login limit and lockout: past them it throws
/// <see cref="IdentityRefusedException"/> (429), which the host answers as a problem when the plugin does not catch it.
/// </summary>
public interface ISessionService
{
    /// <summary>
    /// Checks the password and starts a session in <paramref name="teamId"/> (default: the user's personal
    /// team), setting its cookies on the response. Null for a wrong password or a disabled user (the failure
    /// counts toward the caller address's lockout). Throws <see cref="IdentityValidationException"/>
    /// naming <c>teamId</c> when the user is not a member of that team.
    /// </summary>
    Task<SessionInfo?> SignInAsync(HttpContext context, string username, string password, string? teamId = null);

    /// <summary>Ends the caller's session, if the request carries one, and clears its cookies.</summary>
    Task SignOutAsync(HttpContext context);
}

public sealed record SessionInfo(UserInfo User, string TeamId, string Role, string CsrfToken, DateTimeOffset ExpiresAt);
