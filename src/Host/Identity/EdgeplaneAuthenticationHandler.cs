using System.Security.Claims;
using System.Text.Encodings.Web;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Edgeplane.Host.Identity;

/// <summary>Authenticates API keys (any accepted header) and session cookies into one principal shape.</summary>
public sealed class EdgeplaneAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CredentialHeaders headers,
    CredentialStore store,
    FailedAttempts failures,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SessionCookie = "edgeplane_session";
    public const string CsrfCookie = "edgeplane_csrf";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string FailureKey = "edgeplane.auth.failure";

    private string Address => Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var apiKey = headers.ReadApiKey(Request);
        if (apiKey is not null)
        {
            if (failures.IsBlocked(Address)) return Failure("too many failed credentials from this address; try again later", StatusCodes.Status429TooManyRequests);
            var key = await store.ResolveApiKeyAsync(apiKey, Context.RequestAborted);
            if (key is null)
            {
                failures.Record(Address);
                return Failure("the API key is not valid, or has expired or been revoked");
            }
            return Success(CredentialKind.ApiKey, key.UserId, key.Username, key.TeamId, key.Role, key.IsHostAdmin, (EdgeplaneClaims.ApiKeyId, key.KeyId));
        }

        if (Request.Cookies.TryGetValue(SessionCookie, out var token) && token.Length > 0)
        {
            var session = await store.ResolveSessionAsync(token, Context.RequestAborted);
            if (session is null) return Failure("the session has expired or ended; log in again");
            return Success(CredentialKind.Session, session.UserId, session.Username, session.TeamId, session.Role ?? Roles.Viewer, session.IsHostAdmin,
                (EdgeplaneClaims.SessionId, session.Id), ("csrf", session.CsrfHash));
        }
        return AuthenticateResult.NoResult();
    }

    private AuthenticateResult Failure(string message, int status = StatusCodes.Status401Unauthorized)
    {
        Context.Items[FailureKey] = (message, status);
        return AuthenticateResult.Fail(message);
    }

    private AuthenticateResult Success(CredentialKind kind, string userId, string username, string teamId, string role, bool isHostAdmin, params (string Type, string Value)[] extra)
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
        var identity = new ClaimsIdentity(claims, Scheme.Name, EdgeplaneClaims.Username, EdgeplaneClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (message, status) = Context.Items.TryGetValue(FailureKey, out var f) && f is (string m, int s)
            ? (m, s)
            : ("this route needs a credential: an API key (Authorization: Bearer, X-API-Key) or a session", StatusCodes.Status401Unauthorized);
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) Response.Headers.WWWAuthenticate = "Bearer";
        if (status == StatusCodes.Status429TooManyRequests) Response.Headers.RetryAfter = "60";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = status == 401 ? "Unauthorized" : "Too many failed attempts", Detail = message },
        });
    }
}
