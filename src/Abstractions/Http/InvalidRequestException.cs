using Microsoft.AspNetCore.Http;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// Thrown by a binder (<see cref="Body{T}"/>) for input it refuses; the host answers it 400 with an RFC 9457
/// problem whose <c>errors</c> are <see cref="Errors"/>, as it answers the framework's own binding failures.
/// </summary>
public sealed class InvalidRequestException(FieldErrors errors)
    : BadHttpRequestException("Invalid " + string.Join(", ", errors.ToDictionary().Keys), StatusCodes.Status400BadRequest)
{
    public FieldErrors Errors { get; } = errors;
}
