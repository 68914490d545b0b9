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
    public Task InvokeAsync(HttpContext context)
    {
        var authenticating = authenticator.AuthenticateAsync(context);
        if (!authenticating.IsCompletedSuccessfully) return AuthenticatedAsync(context, authenticating);
        Apply(context, authenticating.Result);
        return next(context);
    }

    private async Task AuthenticatedAsync(HttpContext context, ValueTask<AuthenticateResult> authenticating)
    {
        Apply(context, await authenticating);
        await next(context);
    }

    private static void Apply(HttpContext context, AuthenticateResult result)
    {
        if (result.None) return; // no credential: an anonymous request, nothing to record
        if (result.Succeeded) context.User = result.Principal;
        context.Features.Set<IAuthenticateResultFeature>(new AuthenticateResultFeature(result));
    }

    private sealed class AuthenticateResultFeature(AuthenticateResult result) : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = result;
    }
}
