using System.Collections.Concurrent;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>
/// The records each zone was left with by this host's last committed record write, with that write's feed position:
/// the zone view rebuilds the zone from them instead of reading it again. A write's records are handed over only
/// after its commit; every change to a zone moves the feed, so when the zone's last change in the feed is that
/// position, nothing has changed the zone since.
/// </summary>
public sealed class WrittenZones
{
    private sealed record Written(long Position, IReadOnlyList<DnsRecord> Records);

    private readonly ConcurrentDictionary<string, Written> _zones = new();

    /// <summary>After a committed write of the zone's records at feed <paramref name="position"/>.</summary>
    public void HandOver(string zoneId, long position, IReadOnlyList<DnsRecord> records)
    {
        var written = new Written(position, records);
        _zones.AddOrUpdate(zoneId, written, (_, other) => other.Position > position ? other : written);
    }

    /// <summary>The zone's records as its change at <paramref name="position"/> left them, if this host wrote that change; null otherwise.</summary>
    public IReadOnlyList<DnsRecord>? Take(string zoneId, long position) =>
        _zones.TryGetValue(zoneId, out var written) && written.Position == position && _zones.TryRemove(KeyValuePair.Create(zoneId, written))
            ? written.Records
            : null;

    /// <summary>Drops what was handed over for changes at or before <paramref name="position"/> (the view is past them).</summary>
    public void Forget(long position)
    {
        foreach (var entry in _zones)
            if (entry.Value.Position <= position) _zones.TryRemove(entry);
    }
}
