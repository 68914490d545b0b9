using Edgeplane.Abstractions.Http;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Plugins.Compute.Api;

internal static class Problems
{
    public static IResult Field(string field, string message) => new FieldErrors().Add(field, message).ToProblem();

    public static IResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult NotFound(string what) => TypedResults.Problem($"{what} was not found", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Engine(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status502BadGateway, title: "Container engine error");

    public static IResult Unavailable(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Node unreachable");
}
