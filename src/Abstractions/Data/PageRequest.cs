namespace Edgeplane.Abstractions.Data;

/// <summary>
/// Uniform paging for list routes: <c>?limit=&amp;offset=</c>. Bind it with <c>[AsParameters]</c>.
/// Limits outside 1..<see cref="MaxLimit"/> or a negative offset are a 400 (see <see cref="Validate"/>).
/// </summary>
public sealed record PageRequest(int? Limit = null, int? Offset = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public int Take => Limit ?? DefaultLimit;
    public int Skip => Offset ?? 0;

    /// <summary>Field errors for a bad request, or an empty dictionary.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Limit is < 1 or > MaxLimit) errors["limit"] = [$"must be between 1 and {MaxLimit}"];
        if (Offset is < 0) errors["offset"] = ["must not be negative"];
        return errors;
    }
}
