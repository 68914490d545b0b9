using System.Text;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// With <c>GuardHost</c> on, the same engine inspects every request to the host's own listeners
/// (first in the pipeline, through an <see cref="IStartupFilter"/>), except paths under
/// <c>GuardHostExclude</c> (by default the plugin's own mount, so rule patterns can be posted).
/// </summary>
public sealed class HostGuard(WafEngine engine, WafOptions options, ILogger<HostGuard> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(InspectAsync);
        next(app);
    };

    private async Task InspectAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (options.GuardHostExclude.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next();
            return;
        }
        string? body = null;
        var cut = false;
        var limit = options.Proxy.MaxInspectBodyBytes;
        if ((request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0) && WafProxy.IsInspectable(request.ContentType))
        {
            request.EnableBuffering();
            var buffer = new byte[limit + 1]; // one byte more tells whether the body goes on
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted)) > 0) read += n;
            request.Body.Position = 0;
            cut = read > limit;
            body = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, limit));
        }
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var q = raw.IndexOf('?');
        var headers = request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? ""))).ToList();
        var requestId = RequestIds.New();
        if (cut && options.Proxy.BlocksOversizeBodies)
        {
            await OversizeAnswer.WriteAsync(context, limit, requestId, raw, logger);
            return;
        }
        var verdict = engine.Inspect(new InspectionRequest(context.Connection.RemoteIpAddress, request.Method, q < 0 ? raw : raw[..q], q < 0 ? "" : raw[(q + 1)..], headers, body, request.ContentType, requestId, cut, request.Protocol));
        if (verdict.Kind == VerdictKind.Pass)
        {
            await next();
            return;
        }
        await BlockedAnswer.WriteAsync(context, verdict, requestId, raw, logger);
    }
}
