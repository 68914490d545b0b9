using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>A problem answer (RFC 9457) that names the request id, written by the proxy and the host guard.</summary>
internal static class ProblemAnswer
{
    public static Task WriteAsync(HttpContext context, int status, string type, string title, string detail, string requestId)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        context.Response.Headers["X-Request-Id"] = requestId;
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { type, title, status, detail, requestId }));
    }
}
