using Microsoft.AspNetCore.Authentication;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Authenticates every request once with the shared <see cref="CredentialAuthenticator"/>, in place of an
/// authentication scheme and <c>UseAuthentication()</c>, which build a scheme handler for each request.
/// Authorization reads the principal from <see cref="HttpContext.User"/>; <see cref="ProblemAuthorizationResultHandler"/>
/// answers what it refuses.
/// </summary>
public sealed class CredentialMiddleware(RequestDelegate next, CredentialAuthenticator authenticator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var result = await authenticator.AuthenticateAsync(context);
        if (result.Succeeded) context.User = result.Principal;
        context.Features.Set<IAuthenticateResultFeature>(new AuthenticateResultFeature(result));
        await next(context);
    }

    private sealed class AuthenticateResultFeature(AuthenticateResult result) : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = result;
    }
}
