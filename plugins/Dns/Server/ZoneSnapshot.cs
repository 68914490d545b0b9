using System.Collections.Frozen;
using Edgeplane.Plugins.Dns.Model;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>One RRset as served: the records' wire RDATA and, for name-valued types, the target names.</summary>
public sealed class RrSet(string owner, ushort type, int ttl, IReadOnlyList<byte[]> rdata, IReadOnlyList<string> targets)
{
    public string Owner { get; } = owner;
    public ushort Type { get; } = type;
    public int Ttl { get; } = ttl;
    public IReadOnlyList<byte[]> Rdata { get; } = rdata;
    /// <summary>Names the records point at (CNAME, NS, MX, SRV, PTR), for chasing and additional data.</summary>
    public IReadOnlyList<string> Targets { get; } = targets;
}

/// <summary>An immutable view of one zone, built from the database's rows, that the server answers from.</summary>
public sealed class ZoneSnapshot
{
    /// <summary>The zone's row id (a zone deleted and created again under its name has a new one).</summary>
    public string Id { get; init; } = "";
    /// <summary>The zone's latest changes, oldest first, as far as this host has followed them (for IXFR); the last one ends at <see cref="Soa"/>'s serial when complete.</summary>
    public IReadOnlyList<ZoneDelta> Journal { get; init; } = [];
    public string Name { get; }
    public SoaData Soa { get; }
    public IReadOnlyList<string> NameServers { get; }
    public IReadOnlyList<DnsRecord> Records { get; }
    public RrSet SoaSet { get; }
    /// <summary>The SOA as put in the authority section of negative answers (TTL per RFC 2308 §5).</summary>
    public RrSet NegativeSoaSet { get; }
    /// <summary>Owner name → type → RRset (the apex holds SOA and NS too).</summary>
    public FrozenDictionary<string, FrozenDictionary<ushort, RrSet>> Nodes { get; }
    /// <summary>Every name that exists, including empty non-terminals (RFC 8020: those are NODATA, not NXDOMAIN).</summary>
    public FrozenSet<string> Existing { get; }
    /// <summary>Names below the apex that own NS records: zone cuts.</summary>
    public FrozenSet<string> Cuts { get; }

    public ZoneSnapshot(string name, SoaData soa, IReadOnlyList<string> nameServers, int nsTtl, IReadOnlyList<DnsRecord> records)
    {
        Name = name;
        Soa = soa;
        NameServers = nameServers;
        Records = records;
        SoaSet = new RrSet(name, RrType.SOA, soa.Ttl, [soa.Rdata()], []);
        NegativeSoaSet = new RrSet(name, RrType.SOA, Math.Min(soa.Ttl, soa.Minimum), SoaSet.Rdata, []);
        var nodes = new Dictionary<string, Dictionary<ushort, List<DnsRecord>>>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            var owner = DnsNames.Absolute(r.Name, name);
            if (!nodes.TryGetValue(owner, out var types)) nodes[owner] = types = [];
            var code = RrType.Code(r.Type);
            if (!types.TryGetValue(code, out var list)) types[code] = list = [];
            list.Add(r);
        }
        var built = nodes.ToDictionary(n => n.Key, n => n.Value.ToDictionary(
            t => t.Key,
            t => new RrSet(n.Key, t.Key, t.Value.Min(r => r.Ttl), t.Value.Select(r => r.Rdata()).ToList(),
                t.Key is RrType.CNAME or RrType.NS or RrType.MX or RrType.SRV or RrType.PTR ? t.Value.Select(r => r.Value).ToList() : [])));
        if (!built.TryGetValue(name, out var apex)) built[name] = apex = [];
        apex[RrType.SOA] = SoaSet;
        apex[RrType.NS] = new RrSet(name, RrType.NS, nsTtl, nameServers.Select(WireName.Encode).ToList(), nameServers);
        Nodes = built.ToFrozenDictionary(n => n.Key, n => n.Value.ToFrozenDictionary(), StringComparer.Ordinal);

        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in built.Keys)
            for (var n = owner; DnsNames.IsAtOrBelow(n, name) && existing.Add(n) && n != name; n = DnsNames.Parent(n)) { }
        Existing = existing.ToFrozenSet(StringComparer.Ordinal);
        Cuts = built.Where(n => n.Key != name && n.Value.ContainsKey(RrType.NS)).Select(n => n.Key).ToFrozenSet(StringComparer.Ordinal);
        Wire = new WireZone(this);
    }

    /// <summary>The zone prebuilt in wire format for the allocation-free UDP path (<see cref="WireAnswer"/>).</summary>
    public WireZone Wire { get; }
}

/// <summary>Every zone the server serves, keyed by apex, and the change feed position it includes.</summary>
public sealed class ZoneView
{
    public static readonly ZoneView Empty = new(Array.Empty<ZoneSnapshot>(), 0);

    private readonly Dictionary<string, ZoneSnapshot> _zones;
    private readonly Dictionary<byte[], ZoneSnapshot> _wireZones;
    private readonly Dictionary<byte[], ZoneSnapshot>.AlternateLookup<ReadOnlySpan<byte>> _wire;

    public ZoneView(IEnumerable<ZoneSnapshot> zones, long generation) : this(zones.ToDictionary(z => z.Name, StringComparer.Ordinal), generation) { }

    private ZoneView(Dictionary<string, ZoneSnapshot> zones, long generation)
        : this(zones, zones.Values.ToDictionary(z => z.Wire.Apex, ByteKeys.Instance), generation) { }

    private ZoneView(Dictionary<string, ZoneSnapshot> zones, Dictionary<byte[], ZoneSnapshot> wire, long generation)
    {
        _zones = zones;
        _wireZones = wire;
        _wire = wire.GetAlternateLookup<ReadOnlySpan<byte>>();
        Generation = generation;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    public IReadOnlyDictionary<string, ZoneSnapshot> Zones => _zones;
    /// <summary>The position in the change feed (<c>dns_changes</c>) up to which this view includes every change.</summary>
    public long Generation { get; }
    public DateTimeOffset LoadedAt { get; }

    /// <summary>
    /// A new view in which each zone named is replaced by its rebuilt snapshot, or removed (a null snapshot)
    /// when the zone served under that name is the one deleted; every other zone is shared with this view.
    /// </summary>
    public ZoneView With(IEnumerable<(string Name, string Id, ZoneSnapshot? Zone)> changes, long generation)
    {
        var zones = new Dictionary<string, ZoneSnapshot>(_zones, StringComparer.Ordinal);
        var wire = new Dictionary<byte[], ZoneSnapshot>(_wireZones, ByteKeys.Instance);
        foreach (var (name, id, zone) in changes)
        {
            if (zone is not null)
            {
                zones[zone.Name] = zone;
                wire[zone.Wire.Apex] = zone;
            }
            else if (zones.TryGetValue(name, out var served) && served.Id == id)
            {
                zones.Remove(name);
                wire.Remove(served.Wire.Apex);
            }
        }
        return new ZoneView(zones, wire, generation);
    }

    /// <summary>The zone whose apex is exactly <paramref name="apex"/> (lower-case wire format), if any.</summary>
    public ZoneSnapshot? FindWire(ReadOnlySpan<byte> apex) => _wire.TryGetValue(apex, out var zone) ? zone : null;

    /// <summary>The zone with the longest apex that contains <paramref name="name"/>, if any.</summary>
    public ZoneSnapshot? Find(string name)
    {
        for (var n = name; ; n = DnsNames.Parent(n))
        {
            if (_zones.TryGetValue(n, out var zone)) return zone;
            if (n.Length == 0) return null;
        }
    }
}
