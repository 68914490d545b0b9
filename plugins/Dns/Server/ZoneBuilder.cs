using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>Builds zones as the server serves them from the stored rows: the SOA and apex NS come from the server's settings.</summary>
public sealed class ZoneBuilder(DnsServerOptions options)
{
    public ZoneView View(StoredView stored) =>
        new(stored.Zones.Select(z => Snapshot(z.Zone, z.Records, stored.Generation)), stored.Generation);

    /// <summary>A zone as served, from its stored rows, its lookup tables built at once (by the view, off the query path).</summary>
    /// <param name="position">the feed position up to which the zone includes its changes</param>
    public ZoneSnapshot Snapshot(ZoneRow zone, IReadOnlyList<DnsRecord> records, long position, IReadOnlyList<ZoneDelta>? journal = null) =>
        new ZoneSnapshot(zone.Name, Soa(zone), options.NameServers, options.NsTtl, records) { Id = zone.Id, Position = position, Journal = journal ?? [] }.Built();

    /// <summary>
    /// A zone as served, from a persisted snapshot's id, name, serial, feed position, records and journal; its lookup
    /// tables are built at its first use.
    /// </summary>
    public ZoneSnapshot Snapshot(string id, string name, long serial, long position, byte[] records, IReadOnlyList<ZoneDelta> journal) =>
        new(name, Soa(new ZoneRow { Id = id, Name = name, Serial = serial }), options.NameServers, options.NsTtl, records) { Id = id, Position = position, Journal = journal };

    public SoaData Soa(ZoneRow zone) => new(options.NameServers[0], options.Hostmaster ?? "hostmaster." + zone.Name, zone.Serial,
        options.Refresh, options.Retry, options.Expire, options.Minimum, options.SoaTtl);
}
