using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// The answer to a body over the inspection limit when <c>Proxy:OversizeBody</c> is <c>block</c> (what ModSecurity's
/// <c>SecRequestBodyLimitAction Reject</c> answers), from the proxy and the host guard alike.
/// </summary>
internal static class OversizeAnswer
{
    public static Task WriteAsync(HttpContext context, int limit, string requestId, string target, ILogger logger)
    {
        logger.LogInformation("WAF refused {Method} {Target} from {Client}: body over the {Limit}-byte inspection limit (request {RequestId})",
            context.Request.Method, target, context.Connection.RemoteIpAddress, limit, requestId);
        return ProblemAnswer.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            "Request body too large to inspect",
            $"The request body is larger than the {limit} bytes the web application firewall inspects (Proxy:MaxInspectBodyBytes), and Proxy:OversizeBody is block.",
            requestId);
    }
}
