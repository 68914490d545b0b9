using System.Buffers.Binary;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// Resource records in uncompressed wire form, one after another (owner name, type, class IN, TTL, RDATA length,
/// RDATA): how a zone's records are handed to <see cref="WireZone"/>, kept in the IXFR journal and persisted in the
/// snapshot. A record's body is everything after its owner name.
/// </summary>
public static class WireRecords
{
    public static byte[] Of(string zone, IEnumerable<DnsRecord> records)
    {
        var bytes = new List<byte>();
        foreach (var r in records)
        {
            WireName.Append(bytes, DnsNames.Absolute(r.Name, zone));
            AppendBody(bytes, RrType.Code(r.Type), r.Ttl, r.Rdata());
        }
        return [.. bytes];
    }

    public static void AppendBody(List<byte> bytes, ushort type, int ttl, ReadOnlySpan<byte> rdata)
    {
        Span<byte> fixedPart = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], (uint)ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)rdata.Length);
        bytes.AddRange(fixedPart);
        bytes.AddRange(rdata);
    }

    /// <summary>Writes a record's body into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteBody(Span<byte> destination, ushort type, int ttl, ReadOnlySpan<byte> rdata)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)ttl);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)rdata.Length);
        rdata.CopyTo(destination[10..]);
        return 10 + rdata.Length;
    }

    /// <summary>Each record as the ranges of its owner name and of its body in <paramref name="records"/>.</summary>
    public static IEnumerable<(Range Owner, Range Body)> Each(byte[] records)
    {
        for (var at = 0; at < records.Length;)
        {
            var body = at + WireName.Length(records.AsSpan(at));
            var end = body + BodyLength(records.AsSpan(body));
            if (end > records.Length) throw new InvalidDataException("a record runs past the end of its data");
            yield return (at..body, body..end);
            at = end;
        }
    }

    /// <summary>The records as owner name, type, TTL and RDATA (to be written with name compression).</summary>
    public static IEnumerable<(string Owner, ushort Type, int Ttl, byte[] Rdata)> Read(byte[] records) =>
        Each(records).Select(r => (WireName.Decode(records.AsSpan(r.Owner)), Type(records.AsSpan(r.Body)), Ttl(records.AsSpan(r.Body)), Rdata(records.AsSpan(r.Body)).ToArray()));

    public static int BodyLength(ReadOnlySpan<byte> body) => 10 + BinaryPrimitives.ReadUInt16BigEndian(body[8..]);

    public static ushort Type(ReadOnlySpan<byte> body) => BinaryPrimitives.ReadUInt16BigEndian(body);

    public static int Ttl(ReadOnlySpan<byte> body) => (int)BinaryPrimitives.ReadUInt32BigEndian(body[4..]);

    public static ReadOnlySpan<byte> Rdata(ReadOnlySpan<byte> body) => body.Slice(10, BinaryPrimitives.ReadUInt16BigEndian(body[8..]));
}
