using System.Buffers.Binary;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The UDP path for the questions that make up almost all traffic, without parsing into objects and without
/// allocating: a simple query (one question of class IN with an uncompressed name, no other records but an
/// option-less EDNS(0) OPT) about a name that is a plain owner (an answer, with the zone's NS set and the
/// additional addresses), a NODATA, an NXDOMAIN, or outside every zone (REFUSED). The zone is found and the
/// name looked up by the question's lower-cased wire bytes; the answer is copied from the RRsets prebuilt in
/// <see cref="WireZone"/>. Anything else — CNAME chains, referrals and names below a cut, ANY, transfers, EDNS
/// options or versions, an answer that would not fit — returns 0 and goes to <see cref="QueryHandler"/>,
/// which gives the same answers (the tests hold the two to the same sections).
/// </summary>
public static class WireAnswer
{
    /// <summary>Writes the response into <paramref name="response"/>; its length, or 0 when the full handler must answer.</summary>
    public static int TryAnswer(ZoneView view, DnsServerOptions options, ReadOnlySpan<byte> query, Span<byte> response)
    {
        if (query.Length < 17) return 0;
        var flags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        if ((flags & 0xF800) != 0) return 0; // a response, or not a standard query
        if (BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(query[6..]) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(query[8..]) != 0) return 0;
        var additional = BinaryPrimitives.ReadUInt16BigEndian(query[10..]);
        if (additional > 1) return 0;

        Span<byte> name = stackalloc byte[255];
        var pos = 12;
        while (true)
        {
            if (pos >= query.Length) return 0;
            int length = query[pos];
            if (length == 0) break;
            if (length > 63 || pos + 1 + length > query.Length || pos + 1 + length - 12 >= 255) return 0;
            name[pos - 12] = (byte)length;
            for (var i = 1; i <= length; i++)
            {
                var b = query[pos + i];
                if (b is (byte)'.' or 0) return 0; // not a host name in any zone here: the handler refuses it
                name[pos - 12 + i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
            }
            pos += 1 + length;
        }
        name[pos - 12] = 0;
        var nameLength = pos - 12 + 1;
        var questionEnd = pos + 1 + 4;
        if (questionEnd > query.Length) return 0;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd - 4)..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd - 2)..]) != 1) return 0; // class IN only
        if (type is RrType.AXFR or RrType.IXFR or RrType.ANY) return 0;

        var edns = additional == 1;
        var limit = 512;
        if (edns)
        {
            // exactly one OPT at the root, version 0, without options
            if (questionEnd + 11 != query.Length || query[questionEnd] != 0 || BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd + 1)..]) != RrType.OPT
                || query[questionEnd + 6] != 0 || BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd + 9)..]) != 0) return 0;
            limit = Math.Clamp((int)BinaryPrimitives.ReadUInt16BigEndian(query[(questionEnd + 3)..]), 512, options.MaxUdpPayload);
        }
        else if (questionEnd != query.Length) return 0;
        var qname = name[..nameLength];

        // The zone: the longest apex the name ends with.
        ZoneSnapshot? zone = null;
        var apexAt = 0;
        for (var at = 0; ; at += 1 + qname[at])
        {
            zone = view.FindWire(qname[at..]);
            if (zone is not null) { apexAt = at; break; }
            if (qname[at] == 0) break;
        }
        var w = new Writer(response, limit - (edns ? 11 : 0));
        if (!w.Header(query, flags, zone is null ? QueryHandler.Refused : QueryHandler.NoError, aa: zone is not null, questionEnd)) return 0;
        if (zone is null) return w.Finish(edns, options);

        var wire = zone.Wire;
        if (wire.HasCuts)
            for (var at = 0; at < apexAt; at += 1 + qname[at])
                if (wire.IsCut(qname[at..])) return 0; // a referral (or DS at the cut): the handler's
        var node = wire.Node(qname);
        var apexPointer = (ushort)(0xC000 | (12 + apexAt));
        if (node is null)
        {
            if (!wire.Exists(qname)) w.Rcode(QueryHandler.NxDomain);
            return w.Authority(apexPointer, wire.NegativeSoa, 1) ? w.Finish(edns, options) : 0;
        }
        if (node.HasCname && type != RrType.CNAME) return 0; // a chain: the handler's
        var set = node.Find(type);
        if (set is null) return w.Authority(apexPointer, wire.NegativeSoa, 1) ? w.Finish(edns, options) : 0;
        if (!w.Answer(0xC00C, set.Bodies, set.Count)) return 0;
        if (options.NsInAuthority && !set.IsApexNs)
        {
            if (!w.Authority(apexPointer, wire.ApexNs.Bodies, wire.ApexNs.Count) || !w.Additional(set.AdditionalWithNs, set.AdditionalWithNsCount)) return 0;
        }
        else if (!w.Additional(set.Additional, set.AdditionalCount)) return 0;
        return w.Finish(edns, options);
    }

    /// <summary>Writes a response message into a span, refusing (false) anything that would pass the size limit.</summary>
    private ref struct Writer
    {
        private readonly Span<byte> _buffer;
        private readonly int _limit;
        private int _position;
        private ushort _an, _ns, _ar;

        public Writer(Span<byte> buffer, int limit)
        {
            _buffer = buffer;
            _limit = limit;
        }

        public bool Header(ReadOnlySpan<byte> query, ushort flags, int rcode, bool aa, int questionEnd)
        {
            if (questionEnd > _limit) return false;
            query[..2].CopyTo(_buffer);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(0x8000 | (aa ? 0x0400 : 0) | (flags & 0x0100) | rcode));
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[4..], 1);
            _buffer[6..12].Clear();
            query[12..questionEnd].CopyTo(_buffer[12..]); // the question as asked (0x20 case kept)
            _position = questionEnd;
            return true;
        }

        public readonly void Rcode(int rcode) => _buffer[3] = (byte)((_buffer[3] & 0xF0) | rcode);

        public bool Answer(ushort owner, ReadOnlySpan<byte> bodies, int count)
        {
            if (!Records(owner, bodies, count)) return false;
            _an += (ushort)count;
            return true;
        }

        public bool Authority(ushort owner, ReadOnlySpan<byte> bodies, int count)
        {
            if (!Records(owner, bodies, count)) return false;
            _ns += (ushort)count;
            return true;
        }

        public bool Additional(ReadOnlySpan<byte> records, int count)
        {
            if (_position + records.Length > _limit) return false;
            records.CopyTo(_buffer[_position..]);
            _position += records.Length;
            _ar += (ushort)count;
            return true;
        }

        /// <summary>Each body preceded by the owner as a compression pointer.</summary>
        private bool Records(ushort owner, ReadOnlySpan<byte> bodies, int count)
        {
            if (_position + bodies.Length + 2 * count > _limit) return false;
            for (var at = 0; at < bodies.Length;)
            {
                BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], owner);
                var length = 10 + BinaryPrimitives.ReadUInt16BigEndian(bodies[(at + 8)..]);
                bodies.Slice(at, length).CopyTo(_buffer[(_position + 2)..]);
                _position += 2 + length;
                at += length;
            }
            return true;
        }

        public int Finish(bool edns, DnsServerOptions options)
        {
            if (edns)
            {
                var opt = _buffer[_position..];
                opt[0] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(opt[1..], RrType.OPT);
                BinaryPrimitives.WriteUInt16BigEndian(opt[3..], (ushort)options.MaxUdpPayload);
                opt[5..11].Clear();
                _position += 11;
                _ar++;
            }
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[6..], _an);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[8..], _ns);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[10..], _ar);
            return _position;
        }
    }
}
