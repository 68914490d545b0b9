using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Edgeplane.Host.Identity;

/// <summary>The host's authentication scheme: <see cref="CredentialAuthenticator"/> for authenticating, problem details for challenges.</summary>
public sealed class EdgeplaneAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CredentialAuthenticator authenticator,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SessionCookie = "edgeplane_session";
    public const string CsrfCookie = "edgeplane_csrf";
    public const string CsrfHeader = "X-CSRF-Token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => authenticator.AuthenticateAsync(Context);

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (message, status) = CredentialAuthenticator.FailureOf(Context)
            ?? ("this route needs a credential: an API key (Authorization: Bearer, X-API-Key) or a session", StatusCodes.Status401Unauthorized);
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
