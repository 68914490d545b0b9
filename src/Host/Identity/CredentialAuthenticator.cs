using System.Security.Claims;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Authentication;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Turns an API key (any accepted header) or a session cookie into the request's principal. One shared
/// instance serves every request (<see cref="CredentialMiddleware"/>); the scheme's handler uses it too.
/// A failure's message and status are kept on the request for the challenge (401 or 429).
/// </summary>
public sealed class CredentialAuthenticator(CredentialHeaders headers, CredentialStore store, FailedAttempts failures)
{
    public const string Scheme = EdgeplaneClaims.Scheme;
    internal const string FailureKey = "edgeplane.auth.failure";

    public async ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context)
    {
        var apiKey = headers.ReadApiKey(context.Request);
        if (apiKey is not null)
        {
            var address = AddressOf(context);
            if (failures.IsBlocked(address)) return Failure(context, "too many failed credentials from this address; try again later", StatusCodes.Status429TooManyRequests);
            var key = await store.ResolveApiKeyAsync(apiKey, context.RequestAborted);
            if (key is null)
            {
                failures.Record(address);
                return Failure(context, "the API key is not valid, or has expired or been revoked");
            }
            return Success(CredentialKind.ApiKey, key.UserId, key.Username, key.TeamId, key.Role, key.IsHostAdmin, (EdgeplaneClaims.ApiKeyId, key.KeyId));
        }
        if (context.Request.Cookies.TryGetValue(SessionCookies.Session, out var token) && token.Length > 0)
        {
            var session = await store.ResolveSessionAsync(token, context.RequestAborted);
            if (session is null) return Failure(context, "the session has expired or ended; log in again");
            return Success(CredentialKind.Session, session.UserId, session.Username, session.TeamId, session.Role ?? Roles.Viewer, session.IsHostAdmin,
                (EdgeplaneClaims.SessionId, session.Id), ("csrf", session.CsrfHash));
        }
        return AuthenticateResult.NoResult();
    }

    /// <summary>Why the request's credential was refused, if it was.</summary>
    public static (string Message, int Status)? FailureOf(HttpContext context) =>
        context.Items.TryGetValue(FailureKey, out var f) && f is (string m, int s) ? (m, s) : null;

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static AuthenticateResult Failure(HttpContext context, string message, int status = StatusCodes.Status401Unauthorized)
    {
        context.Items[FailureKey] = (message, status);
        return AuthenticateResult.Fail(message);
    }

    private static AuthenticateResult Success(CredentialKind kind, string userId, string username, string teamId, string role, bool isHostAdmin, params (string Type, string Value)[] extra)
    {
        var claims = new List<Claim>
        {
            new(EdgeplaneClaims.UserId, userId),
            new(EdgeplaneClaims.Username, username),
            new(EdgeplaneClaims.TeamId, teamId),
            new(EdgeplaneClaims.Role, role),
            new(EdgeplaneClaims.HostAdmin, isHostAdmin ? "true" : "false"),
            new(EdgeplaneClaims.Credential, kind.ToString()),
        };
        claims.AddRange(extra.Select(e => new Claim(e.Type, e.Value)));
        var identity = new ClaimsIdentity(claims, Scheme, EdgeplaneClaims.Username, EdgeplaneClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme));
    }
}
