using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Abstractions.Http;
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

    private static readonly JsonSerializerOptions ReadOptions = RequestBody.Strict(Options);

    public static IResult Ok(object value) => Results.Json(value, Options);

    public static IResult Created(string location, object value) => Results.Json(value, Options, statusCode: StatusCodes.Status201Created);

    /// <summary>
    /// Reads a JSON body whatever its Content-Type (the seed's <c>curl -d</c> examples for /scale send
    /// form encoding) with the SDK's reader: a malformed body is a field error, never an exception.
    /// </summary>
    public static Task<(T? Value, FieldErrors Errors)> ReadAsync<T>(HttpRequest request) where T : class =>
        RequestBody.ReadJsonAsync<T>(request, ReadOptions);
}
