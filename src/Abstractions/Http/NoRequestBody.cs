using Microsoft.AspNetCore.Builder;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// Endpoint metadata: the action takes no request body (a POST that acts on its route alone, such as a delete or a
/// toggle). Declare it with <see cref="NoRequestBodyExtensions.TakesNoBody"/>; the OpenAPI document marks the operation
/// <c>x-edgeplane-no-body: true</c>, so a reader (and the conformance kit) can tell it from a body the document leaves out.
/// </summary>
public sealed class NoRequestBody
{
    public static readonly NoRequestBody Instance = new();

    private NoRequestBody()
    {
    }
}

public static class NoRequestBodyExtensions
{
    /// <summary>The route's action takes no request body (see <see cref="NoRequestBody"/>).</summary>
    public static TBuilder TakesNoBody<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(NoRequestBody.Instance);
}
