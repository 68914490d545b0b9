using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// One change of a zone from the change feed, as IXFR (RFC 1995) sends it: the serial before and after, the records
/// removed and added (in <see cref="WireRecords"/> form).
/// </summary>
public sealed record ZoneDelta(long OldSerial, long Serial, byte[] Removed, byte[] Added)
{
    public static ZoneDelta Of(string zone, long oldSerial, long serial, IEnumerable<DnsRecord> removed, IEnumerable<DnsRecord> added) =>
        new(oldSerial, serial, WireRecords.Of(zone, removed), WireRecords.Of(zone, added));

    /// <summary>
    /// <paramref name="records"/> (a zone's, in <see cref="WireRecords"/> form) with this change applied: each removed record
    /// taken out (its first identical copy), the added ones appended. Null when a removed record is not there (the
    /// records are not the zone this change was made to).
    /// </summary>
    public byte[]? ApplyTo(byte[] records)
    {
        var all = WireRecords.Each(records).Select(r => r.Owner.Start.Value..r.Body.End.Value).ToList();
        var gone = new bool[all.Count];
        var length = records.Length + Added.Length;
        foreach (var (owner, body) in WireRecords.Each(Removed))
        {
            var record = Removed.AsSpan(owner.Start.Value..body.End.Value);
            var found = -1;
            for (var i = 0; i < all.Count && found < 0; i++)
                if (!gone[i] && records.AsSpan(all[i]).SequenceEqual(record)) found = i;
            if (found < 0) return null;
            gone[found] = true;
            length -= record.Length;
        }
        var result = new byte[length];
        var at = 0;
        for (var i = 0; i < all.Count; i++)
        {
            if (gone[i]) continue;
            records.AsSpan(all[i]).CopyTo(result.AsSpan(at));
            at += all[i].End.Value - all[i].Start.Value;
        }
        Added.CopyTo(result, at);
        return result;
    }
}
