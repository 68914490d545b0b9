using System.Net;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// Answers one DNS message from a <see cref="ZoneView"/> as an authoritative-only server:
/// AA on authoritative data, NXDOMAIN/NODATA with the SOA in the authority section, CNAME chains
/// inside served zones, referrals with glue below zone cuts, REFUSED outside served zones, EDNS(0),
/// truncation to the client's UDP limit, minimal ANY (RFC 8482), the zone's NS set in the authority
/// section of positive answers (<see cref="DnsServerOptions.NsInAuthority"/>), and AXFR and IXFR (RFC 1995,
/// from the zone's journal; <paramref name="transferred"/> hears whether each was full, incremental or current, and whether
/// an AXFR or an IXFR asked for it)
/// to allowed addresses.
/// </summary>
public sealed class QueryHandler(Func<ZoneView> view, DnsServerOptions options, Action<string, string>? transferred = null)
{
    public const int NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5, BadVers = 16;
    private const int MaxChase = 8;
    private const int TcpChunk = 16 * 1024;

    [ThreadStatic] private static DnsWriter? _writer;

    /// <summary>The response messages (none to drop the packet; several for a zone transfer over TCP).</summary>
    public IReadOnlyList<byte[]> Handle(ReadOnlySpan<byte> packet, bool tcp, IPAddress client) => Handle(packet, tcp, client, null);

    /// <summary>As above, answering from <paramref name="fromView"/> (the view an answer cache belongs to) when given.</summary>
    public IReadOnlyList<byte[]> Handle(ReadOnlySpan<byte> packet, bool tcp, IPAddress client, ZoneView? fromView)
    {
        var query = DnsQuery.Parse(packet);
        if (query.Error < 0 || query.IsResponse) return [];
        var w = _writer ??= new DnsWriter(new byte[65535 + 512]);
        w.Reset();
        if (query.Error > 0) return [HeaderOnly(w, query, FormErr)];
        if (query.Opcode != 0) return [HeaderOnly(w, query, NotImp)];
        if (query.HasEdns && query.EdnsVersion > 0) return [Respond(w, query, tcp, BadVers, false, [], [], [])];

        var zones = fromView ?? view();
        var zone = query.Name is null || (query.Class != 1 && query.Class != 255) ? null : zones.Find(query.Name);
        if (zone is null) return [Respond(w, query, tcp, Refused, false, [], [], [])];

        if (query.Type is RrType.AXFR or RrType.IXFR)
        {
            if (!options.MayTransfer(client) || query.Name != zone.Name) return [Respond(w, query, tcp, Refused, false, [], [], [])];
            if (!tcp)
                // IXFR over UDP: answer with the SOA only, which tells the client to use TCP (RFC 1995 §2).
                return query.Type == RrType.IXFR ? [Respond(w, query, tcp, NoError, true, [zone.SoaSet], [], [])] : [Respond(w, query, tcp, Refused, false, [], [], [])];
            if (query.Type == RrType.IXFR && query.IxfrSerial is { } held)
            {
                // Up to date (or ahead): the current SOA alone (RFC 1995 §2).
                if (!SerialIsNewer(zone.Soa.Serial, held))
                {
                    transferred?.Invoke("current", "IXFR");
                    return [Respond(w, query, tcp, NoError, true, [zone.SoaSet], [], [])];
                }
                if (Since(zone, held) is { } deltas)
                {
                    transferred?.Invoke("incremental", "IXFR");
                    return Transfer(w, query, Incremental(zone, deltas));
                }
            }
            // AXFR, or IXFR from a serial the journal does not reach: the whole zone (RFC 1995 §4).
            transferred?.Invoke("full", query.Type == RrType.AXFR ? "AXFR" : "IXFR");
            return Transfer(w, query, Full(zone));
        }

        var answers = new List<RrSet>(2);
        var authority = new List<RrSet>(1);
        var additional = new List<RrSet>();
        var rcode = NoError;
        var authoritative = true;
        var name = query.Name!;
        var current = zone;
        for (var hop = 0; ; hop++)
        {
            var cut = FindCut(current, name);
            if (cut is not null && !(query.Type == 43 /* DS */ && cut == name))
            {
                // Referral: the child's NS set in authority, glue in additional, no AA (RFC 1034 §4.3.2).
                if (hop == 0) authoritative = false;
                var ns = current.Node(cut)![RrType.NS];
                authority.Add(ns);
                AddAddresses(current, ns.Targets, additional, cut);
                break;
            }
            if (current.Node(name) is not { } node)
            {
                if (!current.Exists(name)) rcode = NxDomain;
                authority.Add(current.NegativeSoaSet);
                break;
            }
            if (query.Type != RrType.CNAME && node.TryGetValue(RrType.CNAME, out var cname))
            {
                answers.Add(cname);
                var target = cname.Targets[0];
                var next = zones.Find(target);
                if (next is null || hop >= MaxChase || answers.Skip(0).Count(a => a.Owner == target) > 0) break;
                current = next;
                name = target;
                continue;
            }
            if (query.Type == RrType.ANY)
            {
                // RFC 8482: answer ANY with one RRset rather than everything at the name.
                answers.Add(node.TryGetValue(RrType.SOA, out var soa) ? soa : node.Values.First());
                break;
            }
            if (node.TryGetValue(query.Type, out var set))
            {
                answers.Add(set);
                if (set.Type is RrType.MX or RrType.SRV or RrType.NS) AddAddresses(current, set.Targets, additional, null);
                break;
            }
            authority.Add(current.NegativeSoaSet);
            break;
        }
        // NSD's (and BIND's) default: a positive answer names the zone's servers in the authority section.
        List<RrSet>? nameServers = null;
        if (options.NsInAuthority && authoritative && rcode == NoError && answers.Count > 0 && authority.Count == 0
            && current.ApexNsSet is var apexNs && !Contains(answers, apexNs))
        {
            nameServers = [apexNs];
            AddAddresses(current, apexNs.Targets, additional, null);
        }
        return [Respond(w, query, tcp, rcode, authoritative, answers, authority, additional, nameServers)];
    }

    internal static string? FindCut(ZoneSnapshot zone, string name)
    {
        if (!zone.HasCuts || name == zone.Name) return null;
        // The topmost cut between the apex (exclusive) and the name (inclusive).
        string? found = null;
        for (var n = name; n != zone.Name && n.Length > 0; n = DnsNames.Parent(n))
            if (zone.IsCut(n)) found = n;
        return found;
    }

    internal static void AddAddresses(ZoneSnapshot zone, IReadOnlyList<string> targets, List<RrSet> additional, string? cut)
    {
        foreach (var target in targets)
        {
            if (!DnsNames.IsAtOrBelow(target, zone.Name) || zone.Node(target) is not { } node) continue;
            // Outside a referral, data below a cut is not ours to give (except as glue of that cut).
            if (cut is null && FindCut(zone, target) is not null) continue;
            if (node.TryGetValue(RrType.A, out var a) && !Contains(additional, a)) additional.Add(a);
            if (node.TryGetValue(RrType.AAAA, out var aaaa) && !Contains(additional, aaaa)) additional.Add(aaaa);
        }
    }

    /// <summary>Whether the list holds the RRset (the same owner and type: sets are built on demand).</summary>
    private static bool Contains(List<RrSet> sets, RrSet set) => sets.Exists(s => s.Type == set.Type && s.Owner == set.Owner);

    private int Limit(DnsQuery query, bool tcp) =>
        tcp ? 65535 : query.HasEdns ? Math.Clamp((int)query.EdnsPayload, 512, options.MaxUdpPayload) : 512;

    private static void Header(DnsWriter w, DnsQuery query, int rcode, bool aa, bool question)
    {
        w.U16(query.Id);
        var flags = 0x8000 | (query.Opcode << 11) | (aa ? 0x0400 : 0) | (query.Flags & 0x0100) | (rcode & 0xF);
        w.U16((ushort)flags);
        w.U16((ushort)(question ? 1 : 0));
        w.U16(0);
        w.U16(0);
        w.U16(0);
        if (question)
        {
            w.NameRaw(query.Labels, query.Name ?? "\0unmatchable");
            w.U16(query.Type);
            w.U16(query.Class);
        }
    }

    private static byte[] HeaderOnly(DnsWriter w, DnsQuery query, int rcode)
    {
        Header(w, query, rcode, false, question: query.Error == 0);
        return w.ToArray();
    }

    /// <summary>
    /// Writes the response: the answer and authority sets are required (TC when they do not fit); the
    /// optional <paramref name="nameServers"/> (authority) and the additional sets are dropped when they do not.
    /// </summary>
    private byte[] Respond(DnsWriter w, DnsQuery query, bool tcp, int rcode, bool aa, List<RrSet> answers, List<RrSet> authority, List<RrSet> additional,
        List<RrSet>? nameServers = null)
    {
        var limit = Limit(query, tcp);
        var optSize = query.HasEdns ? 11 : 0;
        Header(w, query, rcode, aa, question: true);
        var afterQuestion = w.Position;
        var an = WriteSets(w, answers, limit - optSize);
        var ns = an < 0 ? -1 : WriteSets(w, authority, limit - optSize);
        if (an < 0 || ns < 0)
        {
            // The required data does not fit: send the question only, with TC set (RFC 2181 §9).
            w.Truncate(afterQuestion);
            w.PatchU16(2, (ushort)(w.Buffer[2] << 8 | w.Buffer[3] | 0x0200));
            an = ns = 0;
        }
        if (nameServers is not null && an > 0)
        {
            var beforeNs = w.Position;
            var optional = WriteSets(w, nameServers, limit - optSize);
            if (optional < 0) w.Truncate(beforeNs);
            else ns += optional;
        }
        var beforeAdditional = w.Position;
        var ar = an + ns == 0 && rcode != NoError ? 0 : WriteSets(w, additional, limit - optSize);
        if (ar < 0)
        {
            w.Truncate(beforeAdditional);
            ar = 0;
        }
        if (query.HasEdns)
        {
            w.U8(0);
            w.U16(RrType.OPT);
            w.U16((ushort)options.MaxUdpPayload);
            w.U32((uint)((rcode >> 4) << 24));
            w.U16(0);
            ar++;
            if (rcode > 15) w.PatchU16(2, (ushort)((w.Buffer[2] << 8 | w.Buffer[3]) & ~0xF | (rcode & 0xF)));
        }
        w.PatchU16(6, (ushort)an);
        w.PatchU16(8, (ushort)ns);
        w.PatchU16(10, (ushort)ar);
        return w.ToArray();
    }

    /// <summary>Writes the RRsets; the number of records, or -1 when they do not fit in <paramref name="limit"/>.</summary>
    private static int WriteSets(DnsWriter w, List<RrSet> sets, int limit)
    {
        var count = 0;
        foreach (var set in sets)
            foreach (var rdata in set.Rdata)
            {
                if (!w.Fits(set.Owner.Length + 2 + 10 + rdata.Length)) return -1;
                w.Record(set.Owner, set.Type, set.Ttl, rdata);
                if (w.Position > limit) return -1;
                count++;
            }
        return count;
    }

    /// <summary>RFC 1982 §3.2: whether serial <paramref name="a"/> is newer than <paramref name="b"/>.</summary>
    private static bool SerialIsNewer(long a, long b) => a != b && (uint)(a - b) < 0x80000000u;

    /// <summary>The journal's changes from serial <paramref name="held"/> to the zone's current serial, or null when it does not hold them all.</summary>
    private static IReadOnlyList<ZoneDelta>? Since(ZoneSnapshot zone, long held)
    {
        var journal = zone.Journal;
        if (journal.Count == 0 || journal[^1].Serial != zone.Soa.Serial) return null;
        for (var i = journal.Count - 1; i >= 0; i--)
        {
            if (i < journal.Count - 1 && journal[i].Serial != journal[i + 1].OldSerial) return null;
            if (journal[i].OldSerial == held) return journal.Skip(i).ToList();
        }
        return null;
    }

    private static (string Owner, ushort Type, int Ttl, byte[] Rdata) Soa(ZoneSnapshot zone, long serial) =>
        (zone.Name, RrType.SOA, zone.Soa.Ttl, (zone.Soa with { Serial = serial }).Rdata());

    /// <summary>The records of an AXFR: SOA, every RR, SOA.</summary>
    private static List<(string Owner, ushort Type, int Ttl, byte[] Rdata)> Full(ZoneSnapshot zone)
    {
        var records = new List<(string Owner, ushort Type, int Ttl, byte[] Rdata)> { (zone.Name, RrType.SOA, zone.Soa.Ttl, zone.SoaSet.Rdata[0]) };
        foreach (var (owner, node) in zone.Wire.Nodes())
            foreach (var set in node.Sets)
            {
                if (set.Type == RrType.SOA) continue;
                var expanded = set.Expand(owner);
                foreach (var rdata in expanded.Rdata) records.Add((owner, set.Type, expanded.Ttl, rdata));
            }
        records.Add(records[0]);
        return records;
    }

    /// <summary>The records of an incremental IXFR (RFC 1995 §4): the new SOA, then per change the old SOA, the removed RRs, the new SOA, the added RRs; the new SOA last.</summary>
    private static List<(string Owner, ushort Type, int Ttl, byte[] Rdata)> Incremental(ZoneSnapshot zone, IReadOnlyList<ZoneDelta> deltas)
    {
        var records = new List<(string Owner, ushort Type, int Ttl, byte[] Rdata)> { (zone.Name, RrType.SOA, zone.Soa.Ttl, zone.SoaSet.Rdata[0]) };
        foreach (var delta in deltas)
        {
            records.Add(Soa(zone, delta.OldSerial));
            records.AddRange(WireRecords.Read(delta.Removed));
            records.Add(Soa(zone, delta.Serial));
            records.AddRange(WireRecords.Read(delta.Added));
        }
        records.Add(records[0]);
        return records;
    }

    /// <summary>A zone transfer's records in messages of about 16 KB, the question in the first.</summary>
    private static List<byte[]> Transfer(DnsWriter w, DnsQuery query, List<(string Owner, ushort Type, int Ttl, byte[] Rdata)> records)
    {
        var messages = new List<byte[]>();
        var first = true;
        var count = 0;
        void Start()
        {
            w.Reset();
            Header(w, query, NoError, true, question: first);
            first = false;
            count = 0;
        }
        void Finish()
        {
            w.PatchU16(6, (ushort)count);
            messages.Add(w.ToArray());
        }
        Start();
        foreach (var (owner, type, ttl, rdata) in records)
        {
            if (w.Position > TcpChunk) { Finish(); Start(); }
            w.Record(owner, type, ttl, rdata);
            count++;
        }
        Finish();
        return messages;
    }
}
