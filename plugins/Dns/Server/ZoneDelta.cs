using Edgeplane.Plugins.Dns.Model;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>One change of a zone from the change feed, as IXFR (RFC 1995) sends it: the serial before and after, the records removed and added.</summary>
public sealed record ZoneDelta(long OldSerial, long Serial, IReadOnlyList<DnsRecord> Removed, IReadOnlyList<DnsRecord> Added);
