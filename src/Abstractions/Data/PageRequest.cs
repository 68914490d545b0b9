using System.ComponentModel.DataAnnotations;

namespace Edgeplane.Abstractions.Data;

/// <summary>
/// Uniform paging for list routes: <c>?limit=&amp;offset=</c>. Bind it with <c>[AsParameters]</c>.
/// A limit outside 1..<see cref="MaxLimit"/> or a negative offset never reaches the handler: the host's
/// <see cref="Http.RequestValidation"/> answers 400 with field errors for <c>limit</c> and <c>offset</c>.
/// </summary>
public sealed record PageRequest(
    [property: Range(1, PageRequest.MaxLimit, ErrorMessage = "must be between 1 and 500")] int? Limit = null,
    [property: Range(0, int.MaxValue, ErrorMessage = "must not be negative")] int? Offset = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public int Take => Limit ?? DefaultLimit;
    public int Skip => Offset ?? 0;
}
