using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edgeplane.Plugins.Compute.Api;

internal static class Problems
{
    public static ValidationProblem Field(string field, string message) => new FieldErrors().Add(field, message).ToProblem();

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem($"{what} was not found", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Engine(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status502BadGateway, title: "Container engine error");

    public static ProblemHttpResult Unavailable(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Node unreachable");
}
