namespace Edgeplane.Abstractions.Data;

/// <summary>One page of a list: the items, the total count and the window that was asked for.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Limit, int Offset);
