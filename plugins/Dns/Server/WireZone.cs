using System.Buffers.Binary;
using Edgeplane.Plugins.Dns.Model;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// One RRset prebuilt for <see cref="WireAnswer"/>: its records as wire bytes without the owner name (type,
/// class, TTL, length, RDATA, each record to be preceded by a compression pointer), and the additional
/// section that goes with it as complete records (in-zone addresses of MX/SRV/NS targets, and with
/// <see cref="AdditionalWithNs"/> those of the apex name servers too, as <see cref="QueryHandler"/> adds them).
/// </summary>
public sealed class WireSet(ushort type, byte[] bodies, int count, byte[] additional, int additionalCount, byte[] additionalWithNs, int additionalWithNsCount, bool isApexNs)
{
    public ushort Type { get; } = type;
    public byte[] Bodies { get; } = bodies;
    public int Count { get; } = count;
    public byte[] Additional { get; } = additional;
    public int AdditionalCount { get; } = additionalCount;
    public byte[] AdditionalWithNs { get; } = additionalWithNs;
    public int AdditionalWithNsCount { get; } = additionalWithNsCount;
    /// <summary>The apex NS set: its answer carries no NS set in authority.</summary>
    public bool IsApexNs { get; } = isApexNs;
}

/// <summary>The RRsets of one owner name, and whether it holds a CNAME (answered by the full handler).</summary>
public sealed class WireNode(WireSet[] sets, bool hasCname)
{
    public bool HasCname { get; } = hasCname;

    public WireSet? Find(ushort type)
    {
        foreach (var set in sets)
            if (set.Type == type) return set;
        return null;
    }
}

/// <summary>
/// A zone in the form the allocation-free UDP path reads: owner names as lower-case wire-format labels
/// (looked up by the question's bytes), RRsets and the negative SOA prebuilt as wire bytes.
/// </summary>
public sealed class WireZone
{
    private readonly Dictionary<byte[], WireNode>.AlternateLookup<ReadOnlySpan<byte>> _nodes;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _existing;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _cuts;

    /// <summary>The apex in lower-case wire format.</summary>
    public byte[] Apex { get; }
    public bool HasCuts { get; }
    /// <summary>The SOA of negative answers (one record body).</summary>
    public byte[] NegativeSoa { get; }
    /// <summary>The apex NS set's record bodies, for the authority section of positive answers.</summary>
    public WireSet ApexNs { get; }

    public WireZone(ZoneSnapshot zone)
    {
        Apex = WireName.Encode(zone.Name);
        NegativeSoa = Bodies(zone.NegativeSoaSet);
        var apexNs = zone.Nodes[zone.Name][RrType.NS];
        var nodes = new Dictionary<byte[], WireNode>(zone.Nodes.Count, ByteKeys.Instance);
        WireSet? apexSet = null;
        foreach (var (owner, types) in zone.Nodes)
        {
            var sets = new List<WireSet>(types.Count);
            foreach (var (type, set) in types)
            {
                var own = new List<RrSet>();
                if (type is RrType.MX or RrType.SRV or RrType.NS) QueryHandler.AddAddresses(zone, set.Targets, own, null);
                var withNs = new List<RrSet>(own);
                QueryHandler.AddAddresses(zone, apexNs.Targets, withNs, null);
                var wire = new WireSet(type, Bodies(set), set.Rdata.Count, Records(own), own.Sum(s => s.Rdata.Count),
                    Records(withNs), withNs.Sum(s => s.Rdata.Count), ReferenceEquals(set, apexNs));
                if (wire.IsApexNs) apexSet = wire;
                sets.Add(wire);
            }
            nodes[WireName.Encode(owner)] = new WireNode([.. sets], types.ContainsKey(RrType.CNAME));
        }
        ApexNs = apexSet!;
        _nodes = nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        _existing = new HashSet<byte[]>(zone.Existing.Select(WireName.Encode), ByteKeys.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();
        HasCuts = zone.Cuts.Count > 0;
        _cuts = new HashSet<byte[]>(zone.Cuts.Select(WireName.Encode), ByteKeys.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public WireNode? Node(ReadOnlySpan<byte> name) => _nodes.TryGetValue(name, out var node) ? node : null;

    public bool Exists(ReadOnlySpan<byte> name) => _existing.Contains(name);

    public bool IsCut(ReadOnlySpan<byte> name) => _cuts.Contains(name);

    /// <summary>Each record of the set as type, class IN, TTL, RDATA length and RDATA.</summary>
    private static byte[] Bodies(RrSet set)
    {
        var bytes = new List<byte>();
        foreach (var rdata in set.Rdata) Body(bytes, set, rdata);
        return [.. bytes];
    }

    /// <summary>Complete records: the owner name (uncompressed) and the body.</summary>
    private static byte[] Records(List<RrSet> sets)
    {
        var bytes = new List<byte>();
        foreach (var set in sets)
            foreach (var rdata in set.Rdata)
            {
                WireName.Append(bytes, set.Owner);
                Body(bytes, set, rdata);
            }
        return [.. bytes];
    }

    private static void Body(List<byte> bytes, RrSet set, byte[] rdata)
    {
        Span<byte> fixedPart = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, set.Type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], (uint)set.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)rdata.Length);
        bytes.AddRange(fixedPart);
        bytes.AddRange(rdata);
    }
}
