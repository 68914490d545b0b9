using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>One zone's row and records, read together.</summary>
public sealed record StoredZone(ZoneRow Zone, IReadOnlyList<DnsRecord> Records)
{
    /// <summary>The zone's changes in the feed after the position it was asked for, read with it (writes committed meanwhile).</summary>
    public IReadOnlyList<ChangeRow> Later { get; init; } = [];
}

/// <summary>Every zone and record in one consistent read, with the change-feed position it includes.</summary>
public sealed record StoredView(long Generation, IReadOnlyList<StoredZone> Zones);
