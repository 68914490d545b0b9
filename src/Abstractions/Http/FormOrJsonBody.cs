using Microsoft.AspNetCore.Http.Metadata;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// What a <see cref="Body{T}"/> parameter accepts, for the OpenAPI document. Not nested in the generic class, so that
/// each route's body type does not load a metadata type (and its equality interface) of its own at start.
/// </summary>
internal sealed class FormOrJsonBody(Type requestType) : IAcceptsMetadata
{
    // JSON is read whatever the Content-Type says (seeds' curl examples send none or a form's).
    private static readonly string[] Accepted = ["application/json", "application/x-www-form-urlencoded", "*/*"];

    public IReadOnlyList<string> ContentTypes => Accepted;
    public Type RequestType { get; } = requestType;
    public bool IsOptional => false;
}
