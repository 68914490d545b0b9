using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>
/// A zone as a record write finds it inside its transaction (<see cref="ZoneStore.WriteRecordsAsync"/>): its records,
/// the child zones served below it, and the index the next added record gets.
/// </summary>
public sealed record ZoneRecords(string Zone, IReadOnlyList<DnsRecord> Records, IReadOnlyList<string> ChildZones, int NextIndex);

/// <summary>
/// What a record write stores: the records it removes and adds (a changed record is in both, under its index), the
/// zone's next index after it, and the records it leaves the zone with (read only when something changed).
/// </summary>
public sealed record RecordEdit(IReadOnlyList<DnsRecord> Removed, IReadOnlyList<DnsRecord> Added, int NextIndex, IEnumerable<DnsRecord> Records);
