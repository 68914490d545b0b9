using System.Buffers.Binary;
using System.Text;

namespace Edgeplane.Plugins.Dns.Wire;

/// <summary>A parsed DNS query: header, the one question, and the EDNS(0) OPT record if present.</summary>
public sealed class DnsQuery
{
    public ushort Id { get; init; }
    public ushort Flags { get; init; }
    public int Opcode => (Flags >> 11) & 0xF;
    public bool IsResponse => (Flags & 0x8000) != 0;
    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public int QuestionCount { get; init; }

    /// <summary>The question name's labels as sent (case preserved).</summary>
    public IReadOnlyList<byte[]> Labels { get; init; } = [];
    /// <summary>The question name, lowercase, dotted, without trailing dot; null when a label cannot be a host name in any zone here (contains a dot or a zero octet).</summary>
    public string? Name { get; init; }
    public ushort Type { get; init; }
    public ushort Class { get; init; }

    public bool HasEdns { get; init; }
    public ushort EdnsPayload { get; init; }
    public byte EdnsVersion { get; init; }
    public bool DnssecOk { get; init; }

    /// <summary>For IXFR, the serial of the SOA the client sent in the authority section (the version it holds).</summary>
    public uint? IxfrSerial { get; init; }

    /// <summary>The parse outcome: 0 ok, 1 FORMERR (header readable), -1 not even a header (drop).</summary>
    public int Error { get; init; }

    public static DnsQuery Parse(ReadOnlySpan<byte> m)
    {
        if (m.Length < 12) return new DnsQuery { Error = -1 };
        var id = BinaryPrimitives.ReadUInt16BigEndian(m);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        var qd = BinaryPrimitives.ReadUInt16BigEndian(m[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(m[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(m[10..]);
        var bad = new DnsQuery { Id = id, Flags = flags, QuestionCount = qd, Error = 1 };
        if (qd != 1) return bad;
        var pos = 12;
        var labels = new List<byte[]>(6);
        if (!ReadName(m, ref pos, labels)) return bad;
        if (pos + 4 > m.Length) return bad;
        var type = BinaryPrimitives.ReadUInt16BigEndian(m[pos..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(m[(pos + 2)..]);
        pos += 4;

        // Skip answer and authority records, then look for OPT in the additional section.
        bool hasEdns = false;
        ushort payload = 0;
        byte version = 0;
        bool dnssecOk = false;
        uint? ixfrSerial = null;
        for (var i = 0; i < an + ns + ar; i++)
        {
            if (!ReadName(m, ref pos, null) || pos + 10 > m.Length) return bad;
            var rrType = BinaryPrimitives.ReadUInt16BigEndian(m[pos..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(m[(pos + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(m[(pos + 4)..]);
            var rdlen = BinaryPrimitives.ReadUInt16BigEndian(m[(pos + 8)..]);
            pos += 10;
            if (pos + rdlen > m.Length) return bad;
            if (i >= an && i < an + ns && rrType == 6 && type == 251)
            {
                // IXFR (RFC 1995 §3): the client's SOA in the authority section gives the serial it holds.
                var p = pos;
                if (!ReadName(m, ref p, null) || !ReadName(m, ref p, null) || p + 20 > pos + rdlen) return bad;
                ixfrSerial = BinaryPrimitives.ReadUInt32BigEndian(m[p..]);
            }
            pos += rdlen;
            if (i >= an + ns && rrType == 41)
            {
                if (hasEdns) return bad; // more than one OPT: FORMERR (RFC 6891 §6.1.1)
                hasEdns = true;
                payload = rrClass;
                version = (byte)(ttl >> 16);
                dnssecOk = (ttl & 0x8000) != 0;
            }
        }

        string? name = null;
        if (labels.All(l => !l.Contains((byte)'.') && !l.Contains((byte)0)))
        {
            var sb = new StringBuilder(64);
            foreach (var label in labels)
            {
                if (sb.Length > 0) sb.Append('.');
                foreach (var b in label) sb.Append(b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b);
            }
            name = sb.ToString();
        }

        return new DnsQuery
        {
            Id = id, Flags = flags, QuestionCount = qd, Labels = labels, Name = name, Type = type, Class = cls,
            HasEdns = hasEdns, EdnsPayload = payload, EdnsVersion = version, DnssecOk = dnssecOk, IxfrSerial = ixfrSerial,
        };
    }

    /// <summary>Reads a possibly compressed name; guards against loops, forward pointers and overlong names.</summary>
    public static bool ReadName(ReadOnlySpan<byte> m, ref int pos, List<byte[]>? labels)
    {
        var p = pos;
        var jumped = false;
        var total = 1;
        var hops = 0;
        while (true)
        {
            if (p >= m.Length) return false;
            var len = m[p];
            if ((len & 0xC0) == 0xC0)
            {
                if (p + 1 >= m.Length) return false;
                var target = ((len & 0x3F) << 8) | m[p + 1];
                if (target >= p || ++hops > 64) return false; // only backward pointers
                if (!jumped) pos = p + 2;
                jumped = true;
                p = target;
                continue;
            }
            if ((len & 0xC0) != 0) return false; // extended label types are not supported
            if (len == 0)
            {
                if (!jumped) pos = p + 1;
                return true;
            }
            total += len + 1;
            if (total > 255 || p + 1 + len > m.Length) return false;
            labels?.Add(m.Slice(p + 1, len).ToArray());
            p += 1 + len;
        }
    }
}
