using Edgeplane.Plugins.Dns.Records;

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

/// <summary>
/// An immutable view of one zone that the server answers from. The records are kept as they were given (the
/// <see cref="WireRecords"/> form the snapshot file holds), and served from <see cref="Wire"/>'s lookup tables, which are
/// built from them at the zone's first use: a restart serves a thousand zones without building a thousand zones first.
/// The full handler and transfers read RRsets built from the tables on demand.
/// </summary>
public sealed class ZoneSnapshot
{
    private readonly byte[] _records;
    private readonly Lock _building = new();
    private volatile WireZone? _wire;
    // The tables being built, seen only by the building thread (their additional sections read the zone through this snapshot).
    private WireZone? _unfinished;

    /// <summary>The zone's row id (a zone deleted and created again under its name has a new one).</summary>
    public string Id { get; init; } = "";
    /// <summary>
    /// The change feed position up to which the zone's records and journal include its every change: a zone read from the
    /// database may hold writes committed after the feed rows it was read for, and the view then skips their rows.
    /// </summary>
    public long Position { get; init; }
    /// <summary>The zone's latest changes, oldest first, as far as this host has followed them (for IXFR); the last one ends at <see cref="Soa"/>'s serial when complete.</summary>
    public IReadOnlyList<ZoneDelta> Journal { get; init; } = [];
    public string Name { get; }
    public SoaData Soa { get; }
    public IReadOnlyList<string> NameServers { get; }
    public RrSet SoaSet { get; }
    /// <summary>The SOA as put in the authority section of negative answers (TTL per RFC 2308 §5).</summary>
    public RrSet NegativeSoaSet { get; }
    /// <summary>The apex NS set (from configuration).</summary>
    public RrSet ApexNsSet { get; }
    /// <summary>The apex in lower-case wire format.</summary>
    public byte[] Apex { get; }
    /// <summary>The zone in wire format: what every answer and transfer is read from (built at the first use).</summary>
    public WireZone Wire => _wire ?? Build();
    /// <summary>Whether <see cref="Wire"/> has been built.</summary>
    public bool IsBuilt => _wire is not null;

    public ZoneSnapshot(string name, SoaData soa, IReadOnlyList<string> nameServers, int nsTtl, IEnumerable<DnsRecord> records)
        : this(name, soa, nameServers, nsTtl, WireRecords.Of(name, records)) { }

    /// <param name="records">the zone's records (without SOA and apex NS) in <see cref="WireRecords"/> form</param>
    public ZoneSnapshot(string name, SoaData soa, IReadOnlyList<string> nameServers, int nsTtl, byte[] records)
    {
        Name = name;
        Soa = soa;
        NameServers = nameServers;
        SoaSet = new RrSet(name, RrType.SOA, soa.Ttl, [soa.Rdata()], []);
        NegativeSoaSet = new RrSet(name, RrType.SOA, Math.Min(soa.Ttl, soa.Minimum), SoaSet.Rdata, []);
        ApexNsSet = new RrSet(name, RrType.NS, nsTtl, nameServers.Select(WireName.Encode).ToList(), nameServers);
        Apex = WireName.Encode(name);
        _records = records;
    }

    /// <summary>This zone with <see cref="Wire"/> built now (off the query path).</summary>
    public ZoneSnapshot Built()
    {
        _ = Wire;
        return this;
    }

    private WireZone Build()
    {
        lock (_building)
        {
            if (_wire is { } built) return built;
            if (_unfinished is { } unfinished) return unfinished;
            try
            {
                _unfinished = new WireZone(this, _records);
                _unfinished.AddAdditional(this);
                return _wire = _unfinished;
            }
            finally
            {
                _unfinished = null;
            }
        }
    }

    /// <summary>The RRsets at <paramref name="owner"/> by type, or null when the name owns none.</summary>
    public Dictionary<ushort, RrSet>? Node(string owner)
    {
        if (!DnsNames.IsAtOrBelow(owner, Name) || Wire.Node(WireName.Encode(owner)) is not { } node) return null;
        var sets = new Dictionary<ushort, RrSet>(node.Sets.Length);
        foreach (var set in node.Sets)
            sets[set.Type] = set.Type == RrType.SOA ? SoaSet : set.IsApexNs ? ApexNsSet : set.Expand(owner);
        return sets;
    }

    /// <summary>Whether the name exists in the zone (owns records, or is an empty non-terminal).</summary>
    public bool Exists(string name) => DnsNames.IsAtOrBelow(name, Name) && Wire.Exists(WireName.Encode(name));

    /// <summary>Whether the name below the apex owns NS records (a zone cut).</summary>
    public bool IsCut(string name) => Wire.HasCuts && DnsNames.IsAtOrBelow(name, Name) && Wire.IsCut(WireName.Encode(name));

    public bool HasCuts => Wire.HasCuts;

    /// <summary>The zone's records without the SOA and apex NS sets, in <see cref="WireRecords"/> form (as persisted).</summary>
    public byte[] Records() => _records;
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
        : this(zones, zones.Values.ToDictionary(z => z.Apex, ByteKeys.Instance), generation) { }

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
                wire[zone.Apex] = zone;
            }
            else if (zones.TryGetValue(name, out var served) && served.Id == id)
            {
                zones.Remove(name);
                wire.Remove(served.Apex);
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
