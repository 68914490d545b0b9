using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// A record as the API shows it: its stable <c>index</c>, the owner name relative to the zone (<c>label</c>) and
/// absolute (<c>name</c>), the stored fields, and the RDATA in master-file form (<c>rdata</c>).
/// </summary>
public sealed record RecordView(int Index, string Label, string Name, string Type, int Ttl, string Value, int? Priority, int? Weight, int? Port,
    int? Flags, string? Tag, string Rdata)
{
    public static RecordView From(string zone, DnsRecord r) =>
        new(r.Index, r.Name, DnsNames.Absolute(r.Name, zone) + ".", r.Type, r.Ttl, r.Value, r.Priority, r.Weight, r.Port, r.Flags, r.Tag, r.Presentation());
}

public sealed record RecordList(string Zone, long Serial, IReadOnlyList<RecordView> Records);

/// <summary>A bulk request's outcome: the serial after it, how many records it removed and added, and each change's record.</summary>
public sealed record BulkResult(string Zone, long Serial, int Removed, int Added, IReadOnlyList<BulkChangeResult> Results);

public sealed record BulkChangeResult(string Op, RecordView? Record);

/// <summary>An import's outcome; <c>skipped</c> lists the file's lines that were already in the zone (or repeated).</summary>
public sealed record ImportResult(string Zone, long Serial, string Mode, int Records, int Added, int Removed, IReadOnlyList<LineNote> Skipped);

/// <summary>A seed mount's record delete: the record's position and its stable index.</summary>
public sealed record DeletedAt(string Message, int Id);
