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
        catch when (!context.Response.HasStarted)
        {
            // answered by the exception handler outside this middleware: FailedRequestAudit records it with that status
            context.Features.Set(new PendingAuditRow(RequestRow(context, StatusCodes.Status500InternalServerError)));
            throw;
        }
        finally
        {
            // A plugin that wrote the request's row in its own transaction (IAuditLog.InTransaction) answered as it said.
            if (context.Features.Get<PendingAuditRow>() is null
                && (context.Features.Get<TransactionAudit>() is not { RequestWritten: true } written || written.AnsweredWith != context.Response.StatusCode))
                await WriteAsync(context, RequestRow(context, context.Response.StatusCode), logger);
        }
    }

    /// <summary>Writes the request's row; a failure is logged, never thrown at the client.</summary>
    internal static async Task WriteAsync(HttpContext context, AuditRecord row, ILogger logger)
    {
        try
        {
            var audit = context.RequestServices.GetRequiredService<AuditLog>();
            await audit.WriteAsync(row, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record audit entry for {Method} {Path}", context.Request.Method, context.Request.Path);
        }
    }

    /// <summary>The request's row: plugin, method and route template, path, and the status it is answered with.</summary>
    public static AuditRecord RequestRow(HttpContext context, int status)
    {
        var endpoint = context.GetEndpoint();
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        return new AuditRecord
        {
            Plugin = endpoint?.Metadata.GetMetadata<PluginEndpointMetadata>()?.PluginId ?? "host",
            Action = $"{context.Request.Method} {route}",
            Target = context.Request.Path.Value ?? "",
            Status = status,
        };
    }
}
