using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>
/// Where a record may stand among the zone's other data, so that the zone file, transfers and answers
/// (of this server and of every secondary) agree: one TTL per RRset (RFC 2181 §5.2), and no data that a
/// zone cut hides (RFC 1034 §4.2.1) — below a child zone served here, or below a delegation of this zone.
/// </summary>
public static class RecordPlacement
{
    /// <summary>
    /// The candidate with its RRset's TTL when the client gave none; an error on <c>ttl</c> when it gave
    /// another TTL than the RRset's (changing an RRset's TTL is deleting it and adding it again).
    /// </summary>
    public static DnsRecord FitTtl(string zone, IReadOnlyList<DnsRecord> existing, DnsRecord candidate, bool ttlGiven, IDictionary<string, List<string>> errors)
    {
        var rrset = existing.FirstOrDefault(r => r.Name == candidate.Name && r.Type == candidate.Type);
        if (rrset is null || rrset.Ttl == candidate.Ttl) return candidate;
        if (!ttlGiven) return candidate with { Ttl = rrset.Ttl };
        Add(errors, "ttl", $"the {candidate.Type} records of {DnsNames.Absolute(candidate.Name, zone)} have TTL {rrset.Ttl}, and one RRset has one TTL (RFC 2181 §5.2): " +
            $"add it with ttl {rrset.Ttl} (or none), or delete the RRset and add it again with the new TTL");
        return candidate;
    }

    /// <summary>
    /// Refuses (on <c>label</c>) a record at or below a child zone served here (those names are the child's),
    /// a record at or below a delegation of this zone other than the delegation's NS set and glue addresses
    /// (A, AAAA), and a delegation that would hide data already below it.
    /// </summary>
    public static void CheckCuts(string zone, IReadOnlyList<DnsRecord> existing, IEnumerable<string> childZones, DnsRecord candidate, IDictionary<string, List<string>> errors)
    {
        var owner = DnsNames.Absolute(candidate.Name, zone);
        if (childZones.FirstOrDefault(child => DnsNames.IsAtOrBelow(owner, child)) is { } childZone)
        {
            Add(errors, "label", $"{owner} is at or below the zone {childZone}, which is served too: its names belong to {childZone}; add the record there");
            return;
        }
        var delegation = existing.Where(r => r.Type == "NS" && r.Name != "@").Select(r => DnsNames.Absolute(r.Name, zone))
            .FirstOrDefault(cut => DnsNames.IsAtOrBelow(owner, cut));
        if (delegation is not null && !IsGlue(candidate) && !(owner == delegation && candidate.Type == "NS"))
        {
            Add(errors, "label", $"{owner} is at or below the delegation {delegation}: only its NS records and glue addresses (A, AAAA) may be there");
            return;
        }
        if (candidate.Type == "NS" && existing.FirstOrDefault(r => Hides(zone, owner, r)) is { } hidden)
            Add(errors, "label", $"a delegation at {owner} would hide {DnsNames.Absolute(hidden.Name, zone)} {hidden.Type}: delete it first");
    }

    private static bool IsGlue(DnsRecord record) => record.Type is "A" or "AAAA";

    private static bool Hides(string zone, string cut, DnsRecord record)
    {
        var owner = DnsNames.Absolute(record.Name, zone);
        return DnsNames.IsAtOrBelow(owner, cut) && !IsGlue(record) && !(owner == cut && record.Type == "NS");
    }

    private static void Add(IDictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        list.Add(message);
    }
}
