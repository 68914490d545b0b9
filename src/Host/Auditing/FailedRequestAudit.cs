namespace Edgeplane.Host.Auditing;

/// <summary>
/// Records a state-changing request whose handler threw with the status it was answered with. The exception handler
/// that decides that status (500, or a 4xx for what the client sent) runs outside <see cref="AuditMiddleware"/>, so the
/// row it prepared (<see cref="PendingAuditRow"/>) is written here, once the answer is known.
/// </summary>
public sealed class FailedRequestAudit(RequestDelegate next, ILogger<FailedRequestAudit> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var answered = false;
        try
        {
            await next(context);
            answered = true;
        }
        finally
        {
            if (context.Features.Get<PendingAuditRow>() is { } pending)
            {
                pending.Row.Status = answered ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
                await AuditMiddleware.WriteAsync(context, pending.Row, logger);
            }
        }
    }
}

/// <summary>The request row of a request that threw, waiting for its answer's status.</summary>
public sealed record PendingAuditRow(AuditRecord Row);
