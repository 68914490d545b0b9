using System.Buffers.Binary;

namespace Edgeplane.Plugins.Dns.Records;

/// <summary>The zone's SOA fields (RFC 1035 §3.3.13).</summary>
public sealed record SoaData(string PrimaryNs, string Mailbox, long Serial, int Refresh, int Retry, int Expire, int Minimum, int Ttl)
{
    public string Presentation() => $"{PrimaryNs}. {Mailbox}. {Serial} {Refresh} {Retry} {Expire} {Minimum}";

    public byte[] Rdata()
    {
        var buffer = new List<byte>(64);
        WireName.Append(buffer, PrimaryNs);
        WireName.Append(buffer, Mailbox);
        Span<byte> n = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32BigEndian(n, (uint)Serial);
        BinaryPrimitives.WriteInt32BigEndian(n[4..], Refresh);
        BinaryPrimitives.WriteInt32BigEndian(n[8..], Retry);
        BinaryPrimitives.WriteInt32BigEndian(n[12..], Expire);
        BinaryPrimitives.WriteInt32BigEndian(n[16..], Minimum);
        buffer.AddRange(n.ToArray());
        return [.. buffer];
    }
}
