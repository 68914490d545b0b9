using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Diagnostics;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Answers what a route let escape from the identity services as problem details: a refusal with its status
/// (429 with <c>Retry-After</c>), bad input as 400 naming the field, a clash as 409. Never a 500 for these.
/// </summary>
public sealed class IdentityExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        IResult? result = exception switch
        {
            IdentityRefusedException { StatusCode: StatusCodes.Status429TooManyRequests } e =>
                TypedResults.Problem(statusCode: e.StatusCode, title: "Too Many Requests", detail: e.Message),
            IdentityRefusedException e => TypedResults.Problem(statusCode: e.StatusCode, title: "Forbidden", detail: e.Message),
            IdentityValidationException { IsConflict: true } e => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"{e.Field} {e.Message}"),
            IdentityValidationException e => new FieldErrors().Add(e.Field, e.Message).ToProblem(),
            _ => null,
        };
        if (result is null) return false;
        if (exception is IdentityRefusedException { StatusCode: StatusCodes.Status429TooManyRequests }) context.Response.Headers.RetryAfter = "60";
        await result.ExecuteAsync(context);
        return true;
    }
}
