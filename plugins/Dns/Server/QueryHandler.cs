using System.Net;
using Edgeplane.Plugins.Dns.Model;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// Answers one DNS message from a <see cref="ZoneView"/> as an authoritative-only server:
/// AA on authoritative data, NXDOMAIN/NODATA with the SOA in the authority section, CNAME chains
/// inside served zones, referrals with glue below zone cuts, REFUSED outside served zones, EDNS(0),
/// truncation to the client's UDP limit, minimal ANY (RFC 8482), and AXFR to allowed addresses.
/// </summary>
public sealed class QueryHandler(Func<ZoneView> view, DnsServerOptions options)
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
            return Transfer(w, query, zone);
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
                var ns = current.Nodes[cut][RrType.NS];
                authority.Add(ns);
                AddAddresses(current, ns.Targets, additional, cut);
                break;
            }
            if (!current.Nodes.TryGetValue(name, out var node))
            {
                if (!current.Existing.Contains(name)) rcode = NxDomain;
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
        return [Respond(w, query, tcp, rcode, authoritative, answers, authority, additional)];
    }

    private static string? FindCut(ZoneSnapshot zone, string name)
    {
        if (zone.Cuts.Count == 0 || name == zone.Name) return null;
        // The topmost cut between the apex (exclusive) and the name (inclusive).
        string? found = null;
        for (var n = name; n != zone.Name && n.Length > 0; n = DnsNames.Parent(n))
            if (zone.Cuts.Contains(n)) found = n;
        return found;
    }

    private static void AddAddresses(ZoneSnapshot zone, IReadOnlyList<string> targets, List<RrSet> additional, string? cut)
    {
        foreach (var target in targets)
        {
            if (!DnsNames.IsAtOrBelow(target, zone.Name) || !zone.Nodes.TryGetValue(target, out var node)) continue;
            // Outside a referral, data below a cut is not ours to give (except as glue of that cut).
            if (cut is null && FindCut(zone, target) is not null) continue;
            if (node.TryGetValue(RrType.A, out var a) && !additional.Contains(a)) additional.Add(a);
            if (node.TryGetValue(RrType.AAAA, out var aaaa) && !additional.Contains(aaaa)) additional.Add(aaaa);
        }
    }

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

    private byte[] Respond(DnsWriter w, DnsQuery query, bool tcp, int rcode, bool aa, List<RrSet> answers, List<RrSet> authority, List<RrSet> additional)
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

    /// <summary>AXFR (RFC 5936): SOA, every RR, SOA, in messages of about 16 KB.</summary>
    private static List<byte[]> Transfer(DnsWriter w, DnsQuery query, ZoneSnapshot zone)
    {
        var messages = new List<byte[]>();
        var records = new List<(string Owner, ushort Type, int Ttl, byte[] Rdata)> { (zone.Name, RrType.SOA, zone.Soa.Ttl, zone.SoaSet.Rdata[0]) };
        foreach (var (owner, types) in zone.Nodes.OrderBy(n => n.Key.Length).ThenBy(n => n.Key, StringComparer.Ordinal))
            foreach (var (type, set) in types)
            {
                if (type == RrType.SOA) continue;
                foreach (var rdata in set.Rdata) records.Add((owner, type, set.Ttl, rdata));
            }
        records.Add(records[0]);

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
