using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>The seed's JSON is snake_case; these helpers read and write it whatever the host's defaults are.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IResult Ok(object value) => Results.Json(value, Options);

    public static IResult Created(string location, object value) => Results.Json(value, Options, statusCode: StatusCodes.Status201Created);

    /// <summary>
    /// Reads a JSON body whatever its Content-Type (the seed's <c>curl -d</c> examples for /scale send
    /// form encoding). Null with <paramref name="error"/> when the body is not valid JSON of that shape.
    /// </summary>
    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
            return value is null ? (null, "a JSON object is required") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, "is not valid JSON: " + e.Message);
        }
    }

    public static IResult BadBody(string error) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [error] }, title: "Invalid body");
}
