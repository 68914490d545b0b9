using Edgeplane.Plugins.Dns.Domain;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>One zone's row and records, read together.</summary>
public sealed record StoredZone(ZoneRow Zone, IReadOnlyList<DnsRecord> Records);

/// <summary>Every zone and record in one consistent read, with the change-feed position it includes.</summary>
public sealed record StoredView(long Generation, IReadOnlyList<StoredZone> Zones);
