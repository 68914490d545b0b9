using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>
/// The seed's JSON is snake_case; these helpers write it whatever the host's defaults are (<see cref="JsonAnswer{T}"/>: typed, so
/// that the OpenAPI document describes each answer; multi-word names carry <c>JsonPropertyName</c> so that it names them as written). Request bodies are bound by
/// the SDK's <see cref="Body{T}"/> (a JSON object whatever the Content-Type: the seed's <c>curl -d</c> examples for
/// /scale send form encoding), their types in <see cref="WafJson"/>, with snake_case names where a name has two words.
/// </summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>On the seed profile times are written as SecBeat's document shows them: UTC to the second, <c>2025-11-08T10:30:00Z</c>.</summary>
    private static readonly JsonSerializerOptions SeedOptions = new(Options) { Converters = { new UtcSecondsConverter() } };

    public static JsonOk<T> Ok<T>(T value) => new(value);

    public static JsonCreated<T> Created<T>(T value) => new(value);

    /// <summary>201 with a <c>Location</c>: <paramref name="route"/> as the module maps it, under the mount serving the request.</summary>
    public static JsonCreated<T> Created<T>(T value, string route) => new(value, route);

    public static JsonAccepted<T> Accepted<T>(T value) => new(value);

    /// <summary>The options a response is written with: those of the profile of the mount that serves it.</summary>
    public static JsonSerializerOptions For(HttpContext http) => http.IsSeedProfile() ? SeedOptions : Options;

    private sealed class UtcSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
