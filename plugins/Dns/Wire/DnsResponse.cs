using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Edgeplane.Plugins.Dns.Wire;

/// <summary>A parsed DNS response (used by the node health check and by tests).</summary>
public sealed class DnsResponse
{
    public sealed record Rr(string Name, ushort Type, ushort Class, uint Ttl, byte[] Rdata, int RdataOffset);

    public ushort Id { get; private init; }
    public ushort Flags { get; private init; }
    public int Rcode { get; private init; }
    public bool Authoritative => (Flags & 0x0400) != 0;
    public bool Truncated => (Flags & 0x0200) != 0;
    public List<(string Name, ushort Type, ushort Class)> Questions { get; } = [];
    public List<Rr> Answers { get; } = [];
    public List<Rr> Authority { get; } = [];
    public List<Rr> Additional { get; } = [];
    public byte[] Message { get; private init; } = [];

    public static DnsResponse Parse(byte[] m)
    {
        if (m.Length < 12) throw new FormatException("short message");
        var flags = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(2));
        var r = new DnsResponse { Id = BinaryPrimitives.ReadUInt16BigEndian(m), Flags = flags, Rcode = flags & 0xF, Message = m };
        int qd = Read16(m, 4), an = Read16(m, 6), ns = Read16(m, 8), ar = Read16(m, 10);
        var pos = 12;
        for (var i = 0; i < qd; i++)
        {
            var name = ReadName(m, ref pos);
            r.Questions.Add((name, Read16(m, pos), Read16(m, pos + 2)));
            pos += 4;
        }
        foreach (var (count, list) in new[] { (an, r.Answers), (ns, r.Authority), (ar, r.Additional) })
            for (var i = 0; i < count; i++)
            {
                var name = ReadName(m, ref pos);
                var type = Read16(m, pos);
                var cls = Read16(m, pos + 2);
                var ttl = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(pos + 4));
                var len = Read16(m, pos + 8);
                pos += 10;
                if (pos + len > m.Length) throw new FormatException("rdata overruns message");
                list.Add(new Rr(name, type, cls, ttl, m[pos..(pos + len)], pos));
                pos += len;
            }
        if (pos != m.Length) throw new FormatException($"{m.Length - pos} trailing bytes");
        return r;
    }

    private static ushort Read16(byte[] m, int pos) =>
        pos + 2 <= m.Length ? BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(pos)) : throw new FormatException("short message");

    public static string ReadName(byte[] m, ref int pos)
    {
        var labels = new List<byte[]>();
        if (!DnsQuery.ReadName(m, ref pos, labels)) throw new FormatException("bad name");
        return string.Join(".", labels.Select(l => Encoding.ASCII.GetString(l))).ToLowerInvariant();
    }

    /// <summary>The RDATA of a record rendered for comparisons (addresses, names, SOA serial, or hex).</summary>
    public string Render(Rr rr)
    {
        var p = rr.RdataOffset;
        switch (rr.Type)
        {
            case 1:
            case 28:
                return new IPAddress(rr.Rdata).ToString();
            case 2:
            case 5:
            case 12:
                return ReadName(Message, ref p) + ".";
            case 15:
                p += 2;
                return $"{Read16(rr.Rdata, 0)} {ReadName(Message, ref p)}.";
            case 33:
                p += 6;
                return $"{Read16(rr.Rdata, 0)} {Read16(rr.Rdata, 2)} {Read16(rr.Rdata, 4)} {ReadName(Message, ref p)}.";
            case 6:
                var mname = ReadName(Message, ref p);
                var rname = ReadName(Message, ref p);
                return $"{mname}. {rname}. {BinaryPrimitives.ReadUInt32BigEndian(Message.AsSpan(p))}";
            case 16:
                var parts = new List<string>();
                for (var i = 0; i < rr.Rdata.Length; i += 1 + rr.Rdata[i]) parts.Add(Encoding.UTF8.GetString(rr.Rdata, i + 1, rr.Rdata[i]));
                return string.Concat(parts);
            default:
                return Convert.ToHexString(rr.Rdata);
        }
    }

    /// <summary>The SOA serial of the first SOA in the answer section, if any.</summary>
    public uint? SoaSerial()
    {
        var soa = Answers.FirstOrDefault(a => a.Type == 6);
        if (soa is null) return null;
        var p = soa.RdataOffset;
        ReadName(Message, ref p);
        ReadName(Message, ref p);
        return BinaryPrimitives.ReadUInt32BigEndian(Message.AsSpan(p));
    }

    /// <summary>A query message for <paramref name="name"/>/<paramref name="type"/> (class IN), optionally with EDNS(0).</summary>
    public static byte[] Query(ushort id, string name, ushort type, ushort? ednsPayload = null, bool recursionDesired = false)
    {
        var w = new DnsWriter(new byte[600]);
        w.U16(id);
        w.U16((ushort)(recursionDesired ? 0x0100 : 0));
        w.U16(1);
        w.U16(0);
        w.U16(0);
        w.U16((ushort)(ednsPayload is null ? 0 : 1));
        w.Name(name.TrimEnd('.'));
        w.U16(type);
        w.U16(1);
        if (ednsPayload is { } size)
        {
            w.U8(0);
            w.U16(41);
            w.U16(size);
            w.U32(0);
            w.U16(0);
        }
        return w.ToArray();
    }
}
