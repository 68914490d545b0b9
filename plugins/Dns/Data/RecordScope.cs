namespace Edgeplane.Plugins.Dns.Data;

/// <summary>
/// Which of a zone's records a record write reads in its transaction (<see cref="ZoneStore.WriteRecordsAsync"/>): every
/// record, or only those one change is checked against, so that a single add or delete reads a few rows whatever the
/// zone's size. A write that reads part of its zone hands the view no records: the view applies the change's feed row.
/// </summary>
public sealed record RecordScope
{
    private RecordScope(string? name, int? index) => (Name, Index) = (name, index);

    /// <summary>Every record of the zone (bulk changes, imports, an NS add, the seed's delete by position).</summary>
    public static readonly RecordScope All = new(null, null);

    /// <summary>The records at <paramref name="name"/> (relative, as stored) and the zone's delegations: what adding a record other than NS is checked against.</summary>
    public static RecordScope AtName(string name) => new(name, null);

    /// <summary>The record with <paramref name="index"/>: what deleting it needs.</summary>
    public static RecordScope AtIndex(int index) => new(null, index);

    public string? Name { get; }
    public int? Index { get; }
    public bool IsAll => Name is null && Index is null;

    /// <summary>The condition on <c>dns_records</c> beyond the zone's, with parameters <c>@scopeName</c> and <c>@scopeIndex</c>.</summary>
    internal string Condition => Name is not null ? " AND (name = @scopeName OR (type = 'NS' AND name <> '@'))" : Index is not null ? " AND idx = @scopeIndex" : "";
}
