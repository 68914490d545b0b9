using System.Buffers.Binary;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// One RRset: its records as wire bytes without the owner name (type, class, TTL, length, RDATA, each record to be
/// preceded by a compression pointer), and the additional section that goes with it as complete records (in-zone
/// addresses of MX/SRV/NS targets, and with <see cref="AdditionalWithNs"/> those of the apex name servers too, as
/// <see cref="QueryHandler"/> adds them).
/// </summary>
public sealed class WireSet(ushort type, byte[] bodies, int count, bool isApexNs)
{
    public ushort Type { get; } = type;
    public byte[] Bodies { get; } = bodies;
    public int Count { get; } = count;
    public byte[] Additional { get; internal set; } = [];
    public int AdditionalCount { get; internal set; }
    public byte[] AdditionalWithNs { get; internal set; } = [];
    public int AdditionalWithNsCount { get; internal set; }
    /// <summary>The apex NS set: its answer carries no NS set in authority.</summary>
    public bool IsApexNs { get; } = isApexNs;

    /// <summary>The set as the full handler writes it: each record's RDATA and, for name-valued types, the names they point at.</summary>
    public RrSet Expand(string owner)
    {
        var rdata = new List<byte[]>(Count);
        var targets = new List<string>();
        var nameAt = TargetOffset(Type);
        for (var at = 0; at < Bodies.Length; at += WireRecords.BodyLength(Bodies.AsSpan(at)))
        {
            var data = WireRecords.Rdata(Bodies.AsSpan(at));
            rdata.Add(data.ToArray());
            if (nameAt >= 0) targets.Add(WireName.Decode(data[nameAt..]));
        }
        return new RrSet(owner, Type, WireRecords.Ttl(Bodies), rdata, targets);
    }

    /// <summary>Where the host name starts in the RDATA of name-valued types (CNAME, NS, PTR, MX, SRV); -1 for the others.</summary>
    private static int TargetOffset(ushort type) => type switch
    {
        RrType.CNAME or RrType.NS or RrType.PTR => 0,
        RrType.MX => 2,
        RrType.SRV => 6,
        _ => -1,
    };
}

/// <summary>The RRsets of one owner name, and whether it holds a CNAME (answered by the full handler).</summary>
public sealed class WireNode(WireSet[] sets, bool hasCname)
{
    public bool HasCname { get; } = hasCname;
    public WireSet[] Sets { get; } = sets;

    public WireSet? Find(ushort type)
    {
        foreach (var set in Sets)
            if (set.Type == type) return set;
        return null;
    }
}

/// <summary>
/// A zone in the one form the server keeps it: owner names as lower-case wire-format labels (looked up by the
/// question's bytes), RRsets and the negative SOA as wire bytes. The allocation-free UDP path reads it directly;
/// the full handler, transfers and the snapshot read it through <see cref="ZoneSnapshot"/>.
/// </summary>
public sealed class WireZone
{
    private readonly Dictionary<byte[], WireNode> _table;
    private readonly Dictionary<byte[], WireNode>.AlternateLookup<ReadOnlySpan<byte>> _nodes;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _emptyNonTerminals;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _cuts;

    /// <summary>The apex in lower-case wire format.</summary>
    public byte[] Apex { get; }
    public bool HasCuts { get; }
    /// <summary>The SOA of negative answers (one record body).</summary>
    public byte[] NegativeSoa { get; }
    /// <summary>The apex NS set, for the authority section of positive answers.</summary>
    public WireSet ApexNs { get; }

    /// <param name="zone">the zone's name, SOA and apex NS sets</param>
    /// <param name="records">the zone's other records in <see cref="WireRecords"/> form (RRsets given several TTLs get the lowest)</param>
    public WireZone(ZoneSnapshot zone, byte[] records)
    {
        Apex = zone.Apex;
        NegativeSoa = Bodies(zone.NegativeSoaSet);
        ApexNs = new WireSet(RrType.NS, Bodies(zone.ApexNsSet), zone.ApexNsSet.Rdata.Count, isApexNs: true);
        var soa = new WireSet(RrType.SOA, Bodies(zone.SoaSet), 1, isApexNs: false);

        var owners = new Dictionary<byte[], List<(ushort Type, Range Body)>>(ByteKeys.Instance);
        var byBytes = owners.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var (owner, body) in WireRecords.Each(records))
        {
            if (!byBytes.TryGetValue(records.AsSpan(owner), out var list)) owners[records[owner]] = list = [];
            list.Add((WireRecords.Type(records.AsSpan(body)), body));
        }
        if (!owners.ContainsKey(Apex)) owners[Apex] = [];
        _table = new Dictionary<byte[], WireNode>(owners.Count, ByteKeys.Instance);
        var cuts = new HashSet<byte[]>(ByteKeys.Instance);
        foreach (var (owner, list) in owners)
        {
            var sets = new List<WireSet>(list.Count + 2);
            for (var i = 0; i < list.Count; i++)
                if (FirstOfItsType(list, i)) sets.Add(Set(records, list, list[i].Type));
            var isApex = owner.AsSpan().SequenceEqual(Apex);
            if (isApex) sets.AddRange([soa, ApexNs]);
            else if (list.Exists(r => r.Type == RrType.NS)) cuts.Add(owner);
            _table[owner] = new WireNode([.. sets], list.Exists(r => r.Type == RrType.CNAME));
        }
        _nodes = _table.GetAlternateLookup<ReadOnlySpan<byte>>();

        // Names between the apex and an owner that own nothing themselves exist too (RFC 8020: NODATA, not NXDOMAIN).
        var empty = new HashSet<byte[]>(ByteKeys.Instance);
        var emptyByBytes = empty.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var owner in _table.Keys)
            for (var at = 1 + owner[0]; owner.Length - at > Apex.Length; at += 1 + owner[at])
            {
                var parent = owner.AsSpan(at);
                if (_nodes.ContainsKey(parent)) continue;
                if (!emptyByBytes.Add(parent)) break;
            }
        _emptyNonTerminals = emptyByBytes;
        HasCuts = cuts.Count > 0;
        _cuts = cuts.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Prebuilds each RRset's additional section, once the zone can be read through <paramref name="zone"/>.</summary>
    internal void AddAdditional(ZoneSnapshot zone)
    {
        var nameServers = zone.ApexNsSet.Targets;
        var forNameServers = new List<RrSet>();
        QueryHandler.AddAddresses(zone, nameServers, forNameServers, null);
        var (withNs, withNsCount) = Records(forNameServers);
        foreach (var node in _table.Values)
            foreach (var set in node.Sets)
            {
                if (set.Type is not (RrType.MX or RrType.SRV or RrType.NS))
                {
                    (set.AdditionalWithNs, set.AdditionalWithNsCount) = (withNs, withNsCount);
                    continue;
                }
                var own = new List<RrSet>();
                QueryHandler.AddAddresses(zone, set.Expand("").Targets, own, null);
                (set.Additional, set.AdditionalCount) = Records(own);
                QueryHandler.AddAddresses(zone, nameServers, own, null);
                (set.AdditionalWithNs, set.AdditionalWithNsCount) = Records(own);
            }
    }

    public WireNode? Node(ReadOnlySpan<byte> name) => _nodes.TryGetValue(name, out var node) ? node : null;

    public bool Exists(ReadOnlySpan<byte> name) => _nodes.ContainsKey(name) || _emptyNonTerminals.Contains(name);

    public bool IsCut(ReadOnlySpan<byte> name) => _cuts.Contains(name);

    /// <summary>Every owner name (decoded) with its node, shorter names first, then in ordinal order.</summary>
    public IEnumerable<(string Owner, WireNode Node)> Nodes() =>
        _table.Select(n => (Owner: WireName.Decode(n.Key), Node: n.Value)).OrderBy(n => n.Owner.Length).ThenBy(n => n.Owner, StringComparer.Ordinal);

    private static bool FirstOfItsType(List<(ushort Type, Range Body)> owned, int index)
    {
        for (var i = 0; i < index; i++)
            if (owned[i].Type == owned[index].Type) return false;
        return true;
    }

    /// <summary>The owner's records of <paramref name="type"/> as one set, each record given the lowest TTL among them.</summary>
    private static WireSet Set(byte[] records, List<(ushort Type, Range Body)> owned, ushort type)
    {
        int length = 0, count = 0, ttl = int.MaxValue;
        foreach (var (t, body) in owned)
        {
            if (t != type) continue;
            length += body.GetOffsetAndLength(records.Length).Length;
            count++;
            ttl = Math.Min(ttl, WireRecords.Ttl(records.AsSpan(body)));
        }
        var bodies = new byte[length];
        var at = 0;
        foreach (var (t, body) in owned)
        {
            if (t != type) continue;
            var copy = bodies.AsSpan(at);
            records.AsSpan(body).CopyTo(copy);
            BinaryPrimitives.WriteUInt16BigEndian(copy[2..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(copy[4..], (uint)ttl);
            at += body.GetOffsetAndLength(records.Length).Length;
        }
        return new WireSet(type, bodies, count, isApexNs: false);
    }

    /// <summary>Each record of the set as type, class IN, TTL, RDATA length and RDATA.</summary>
    private static byte[] Bodies(RrSet set)
    {
        var bytes = new byte[set.Rdata.Sum(rdata => 10 + rdata.Length)];
        var at = 0;
        foreach (var rdata in set.Rdata) at += WireRecords.WriteBody(bytes.AsSpan(at), set.Type, set.Ttl, rdata);
        return bytes;
    }

    /// <summary>Complete records: the owner name (uncompressed) and the body; and how many.</summary>
    private static (byte[] Records, int Count) Records(List<RrSet> sets)
    {
        if (sets.Count == 0) return ([], 0);
        var owners = sets.Select(s => WireName.Encode(s.Owner)).ToList();
        var length = 0;
        for (var i = 0; i < sets.Count; i++)
            foreach (var rdata in sets[i].Rdata) length += owners[i].Length + 10 + rdata.Length;
        var bytes = new byte[length];
        var at = 0;
        for (var i = 0; i < sets.Count; i++)
            foreach (var rdata in sets[i].Rdata)
            {
                owners[i].CopyTo(bytes, at);
                at += owners[i].Length;
                at += WireRecords.WriteBody(bytes.AsSpan(at), sets[i].Type, sets[i].Ttl, rdata);
            }
        return (bytes, sets.Sum(s => s.Rdata.Count));
    }
}
