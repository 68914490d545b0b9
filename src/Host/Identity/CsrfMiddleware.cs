using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>
/// A state-changing request authenticated by the session cookie must carry the session's CSRF token
/// in <c>X-CSRF-Token</c> (double submit; the cookie is also SameSite=Strict). API keys are exempt.
/// </summary>
public sealed class CsrfMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public Task InvokeAsync(HttpContext context)
    {
        var user = context.User;
        if (user.FindFirst(EdgeplaneClaims.Credential)?.Value == nameof(CredentialKind.Session)
            && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method)))
        {
            var presented = context.Request.Headers[SessionCookies.CsrfHeader].ToString();
            var expected = user.FindFirst("csrf")?.Value ?? "";
            if (presented.Length == 0 || !Secrets.Verify(presented, expected))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = 403, Title = "Forbidden", Detail = $"a session request that changes state needs the {SessionCookies.CsrfHeader} header from login" },
                }).AsTask();
            }
        }
        return next(context);
    }
}
