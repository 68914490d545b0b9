using Edgeplane.Abstractions.Http;
using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Auditing;

/// <summary>
/// Records every state-changing request (any method but GET, HEAD, OPTIONS) of the host and of every
/// plugin once it has been answered: who, team, method and route template, path, status, source address.
/// Denied attempts are recorded too.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
               || context.GetEndpoint()?.Metadata.GetMetadata<DisableRequestAuditMetadata>() is not null
            ? next(context)
            : AuditedAsync(context, method);
    }

    private async Task AuditedAsync(HttpContext context, string method)
    {
        try
        {
            await next(context);
        }
        finally
        {
            var endpoint = context.GetEndpoint();
            var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            try
            {
                var audit = context.RequestServices.GetRequiredService<AuditLog>();
                await audit.WriteAsync(new AuditRecord
                {
                    Plugin = endpoint?.Metadata.GetMetadata<PluginEndpointMetadata>()?.PluginId ?? "host",
                    Action = $"{method} {route}",
                    Target = context.Request.Path.Value ?? "",
                    Status = context.Response.StatusCode,
                }, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not record audit entry for {Method} {Path}", method, context.Request.Path);
            }
        }
    }
}
