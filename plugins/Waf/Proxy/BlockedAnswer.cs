using System.Globalization;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// The answer to a blocked or rate-limited client, from the proxy and the host guard alike: a generic problem with the
/// request id only. Why it was blocked (rule, attack type, the blacklist reason, the policy) would teach an attacker
/// how to get past the rules and can carry the operator's private notes, so it goes to the log, the block log
/// (<c>GET /api/v1/blocks/{requestId}</c>) and the webhook events instead.
/// </summary>
internal static class BlockedAnswer
{
    public static Task WriteAsync(HttpContext context, Verdict verdict, string requestId, string target, ILogger logger)
    {
        logger.LogInformation("WAF {Verdict} {Method} {Target} from {Client}: {Reason} (rule {RuleId}, attack type {AttackType}, request {RequestId})",
            verdict.Kind, context.Request.Method, target, context.Connection.RemoteIpAddress, verdict.Reason, verdict.Rule?.Id, verdict.AttackType, requestId);
        var limited = verdict.Kind == VerdictKind.RateLimited;
        if (limited) context.Response.Headers.RetryAfter = verdict.RetryAfterSeconds!.Value.ToString(CultureInfo.InvariantCulture);
        return limited
            ? ProblemAnswer.WriteAsync(context, StatusCodes.Status429TooManyRequests, "https://tools.ietf.org/html/rfc6585#section-4", "Too many requests",
                "Too many requests from this address; retry after the number of seconds in Retry-After.", requestId)
            : ProblemAnswer.WriteAsync(context, StatusCodes.Status403Forbidden, "https://tools.ietf.org/html/rfc9110#section-15.5.4", "Request blocked",
                "The request was blocked by the web application firewall. Quote the request id to the site's operator if you think this is a mistake.", requestId);
    }
}
