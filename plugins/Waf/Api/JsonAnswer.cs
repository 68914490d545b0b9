using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>
/// A JSON answer in the form of the profile of the mount that serves it (<see cref="Json.For"/>), or with the options given;
/// its status and <typeparamref name="T"/> are endpoint metadata, so the OpenAPI document describes it.
/// </summary>
internal abstract class JsonAnswer<T>(T value, int status, string? location, JsonSerializerOptions? options) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        if (location is not null) http.Response.Headers.Location = http.PluginLink(location);
        return Results.Json(value, options ?? Json.For(http), statusCode: status).ExecuteAsync(http);
    }

    protected static void Describe(EndpointBuilder builder, int status) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(T), ["application/json"]));
}

internal sealed class JsonOk<T>(T value, JsonSerializerOptions? options = null) : JsonAnswer<T>(value, StatusCodes.Status200OK, null, options), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status200OK);
}

internal sealed class JsonCreated<T>(T value, string? location = null) : JsonAnswer<T>(value, StatusCodes.Status201Created, location, null), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status201Created);
}

internal sealed class JsonAccepted<T>(T value) : JsonAnswer<T>(value, StatusCodes.Status202Accepted, null, null), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status202Accepted);
}
