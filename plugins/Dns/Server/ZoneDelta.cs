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
}
