using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// The answers of a mount with the <see cref="ApiProfiles.Seed"/> profile, as PacketFrame's API server wrote them:
/// HTTP 200 and <c>{"success": bool, "message": …}</c> with the payload in <c>message</c>, refusals included
/// (<c>success: false</c>, the reason in <c>message</c>, the native status and the fields in the extension members
/// <c>status</c> and <c>errors</c>). Edgeplane's other fields (ids, serials, …) are extension members beside them.
/// </summary>
public sealed class SeedAnswer : IResult
{
    private readonly JsonObject _body;

    private SeedAnswer(bool success, JsonNode? message, JsonObject? extensions)
    {
        _body = extensions ?? [];
        _body.Remove("success");
        _body.Remove("message");
        _body.Insert(0, "success", success);
        _body.Insert(1, "message", message);
    }

    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        return http.Response.WriteAsJsonAsync(_body, http.RequestAborted);
    }

    /// <summary>A success with <paramref name="message"/> as the payload; <paramref name="extensions"/>' fields beside it.</summary>
    public static SeedAnswer Ok(object? message, object? extensions = null) => Of(true, message, extensions);

    /// <summary><c>{"success": success, "message": message}</c>, for the routes whose success is an answer (<c>/admin</c>).</summary>
    public static SeedAnswer Of(bool success, object? message, object? extensions = null) =>
        new(success, JsonSerializer.SerializeToNode(message, Options), JsonSerializer.SerializeToNode(extensions, Options) as JsonObject);

    /// <summary>
    /// The endpoint filter of every DNS route: on a seed mount, turns what the handler answered into the envelope (a
    /// problem into a failure naming its reason, another JSON answer into a success: its <c>message</c> field, if it
    /// has one, is the message and its other fields stay beside it; otherwise it is the message; text is the message).
    /// </summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (!context.HttpContext.IsSeedProfile()) return result;
        return result switch
        {
            SeedAnswer => result,
            IValueHttpResult { Value: Microsoft.AspNetCore.Mvc.ProblemDetails problem } => Failure(problem),
            ContentHttpResult { StatusCode: null or < 300 } text => Ok(text.ResponseContent),
            IValueHttpResult value when result is IStatusCodeHttpResult { StatusCode: null or < 300 } => Success(value.Value),
            _ => result,
        };
    }

    private static SeedAnswer Failure(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var extensions = new JsonObject { ["status"] = problem.Status };
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
            extensions["errors"] = JsonSerializer.SerializeToNode(validation.Errors, Options);
        return new SeedAnswer(false, problem.Detail ?? problem.Title, extensions);
    }

    private static SeedAnswer Success(object? value)
    {
        var node = JsonSerializer.SerializeToNode(value, Options);
        if (node is JsonObject fields && fields["message"] is JsonValue message)
        {
            fields.Remove("message");
            return new SeedAnswer(true, message, fields);
        }
        return new SeedAnswer(true, node, null);
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
