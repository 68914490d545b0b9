using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>DNS RR type codes the plugin knows (RFC 1035, 3596, 2782, 8659, 6891).</summary>
public static class RrType
{
    public const ushort A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, OPT = 41, IXFR = 251, AXFR = 252, ANY = 255, CAA = 257;

    /// <summary>The record types a user can add through the API.</summary>
    public static readonly IReadOnlyList<string> UserTypes = ["A", "AAAA", "CNAME", "MX", "SRV", "TXT", "PTR", "NS", "CAA"];

    public static ushort Code(string type) => type switch
    {
        "A" => A, "NS" => NS, "CNAME" => CNAME, "SOA" => SOA, "PTR" => PTR, "MX" => MX, "TXT" => TXT,
        "AAAA" => AAAA, "SRV" => SRV, "CAA" => CAA,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown type"),
    };

    public static string Name(ushort code) => code switch
    {
        A => "A", NS => "NS", CNAME => "CNAME", SOA => "SOA", PTR => "PTR", MX => "MX", TXT => "TXT",
        AAAA => "AAAA", SRV => "SRV", CAA => "CAA", OPT => "OPT", AXFR => "AXFR", IXFR => "IXFR", ANY => "ANY",
        _ => "TYPE" + code.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// One record of a zone as stored. <see cref="Name"/> is relative to the zone ("@" for the apex);
/// name-valued fields (<see cref="Value"/> of CNAME, NS, PTR, MX, SRV) are absolute, without the
/// trailing dot. <see cref="Index"/> is assigned once when the record is added and never reused
/// or renumbered within the zone.
/// </summary>
public sealed record DnsRecord
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required int Ttl { get; init; }
    public required string Value { get; init; }
    public int? Priority { get; init; }
    public int? Weight { get; init; }
    public int? Port { get; init; }
    public int? Flags { get; init; }
    public string? Tag { get; init; }

    /// <summary>Identity of the RR's data (two records with the same key are duplicates).</summary>
    [JsonIgnore]
    public string DataKey => $"{Name}|{Type}|{Presentation()}";

    /// <summary>The RDATA in master-file presentation form (RFC 1035 §5.1), names absolute with a trailing dot.</summary>
    public string Presentation() => Type switch
    {
        "A" or "AAAA" => Value,
        "CNAME" or "NS" or "PTR" => Fqdn(Value),
        "MX" => $"{Priority} {Fqdn(Value)}",
        "SRV" => $"{Priority} {Weight} {Port} {Fqdn(Value)}",
        "TXT" => ZoneText.QuoteTxt(Value),
        "CAA" => $"{Flags} {Tag} {ZoneText.Quote(Encoding.UTF8.GetBytes(Value))}",
        _ => throw new InvalidOperationException("unknown type " + Type),
    };

    /// <summary>The RDATA in wire form (names uncompressed).</summary>
    public byte[] Rdata()
    {
        var buffer = new List<byte>(32);
        switch (Type)
        {
            case "A":
            case "AAAA":
                buffer.AddRange(IPAddress.Parse(Value).GetAddressBytes());
                break;
            case "CNAME":
            case "NS":
            case "PTR":
                WireName.Append(buffer, Value);
                break;
            case "MX":
                U16(buffer, Priority!.Value);
                WireName.Append(buffer, Value);
                break;
            case "SRV":
                U16(buffer, Priority!.Value);
                U16(buffer, Weight!.Value);
                U16(buffer, Port!.Value);
                WireName.Append(buffer, Value);
                break;
            case "TXT":
                foreach (var chunk in ZoneText.TxtChunks(Value))
                {
                    buffer.Add((byte)chunk.Length);
                    buffer.AddRange(chunk);
                }
                break;
            case "CAA":
                buffer.Add((byte)Flags!.Value);
                buffer.Add((byte)Tag!.Length);
                buffer.AddRange(Encoding.ASCII.GetBytes(Tag));
                buffer.AddRange(Encoding.UTF8.GetBytes(Value));
                break;
            default:
                throw new InvalidOperationException("unknown type " + Type);
        }
        return [.. buffer];
    }

    private static string Fqdn(string name) => name.Length == 0 ? "." : name + ".";

    private static void U16(List<byte> buffer, int value)
    {
        buffer.Add((byte)(value >> 8));
        buffer.Add((byte)value);
    }
}

/// <summary>Names in wire form (RFC 1035 §3.1).</summary>
public static class WireName
{
    public static void Append(List<byte> buffer, string name)
    {
        if (name.Length > 0)
            foreach (var label in name.Split('.'))
            {
                buffer.Add((byte)label.Length);
                foreach (var c in label) buffer.Add((byte)c);
            }
        buffer.Add(0);
    }

    public static byte[] Encode(string name)
    {
        var buffer = new List<byte>(name.Length + 2);
        Append(buffer, name);
        return [.. buffer];
    }

    /// <summary>An uncompressed wire name as the plugin keeps names (labels joined by dots, "" for the root).</summary>
    public static string Decode(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length);
        for (var at = 0; name[at] != 0; at += 1 + name[at])
        {
            if (text.Length > 0) text.Append('.');
            foreach (var b in name.Slice(at + 1, name[at])) text.Append((char)b);
        }
        return text.ToString();
    }

    /// <summary>The octets of the uncompressed wire name at the start of <paramref name="data"/>, its root label included.</summary>
    public static int Length(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (data[at] != 0) at += 1 + data[at];
        return at + 1;
    }
}

/// <summary>Master-file text helpers: quoting and escaping of character-strings.</summary>
public static class ZoneText
{
    public const int MaxTxtOctets = 2048;

    /// <summary>
    /// TXT data split into character-strings of at most 255 octets (UTF-8), each ending on a character
    /// boundary: a string never ends inside a multi-octet character, so every string is valid UTF-8 alone.
    /// </summary>
    public static IEnumerable<byte[]> TxtChunks(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length == 0) yield return [];
        for (var start = 0; start < bytes.Length;)
        {
            var end = Math.Min(bytes.Length, start + 255);
            while (end < bytes.Length && (bytes[end] & 0xC0) == 0x80) end--; // bytes[end] continues a character
            yield return bytes[start..end];
            start = end;
        }
    }

    public static string QuoteTxt(string value) => string.Join(" ", TxtChunks(value).Select(Quote));

    /// <summary>A quoted character-string: <c>"</c> and <c>\</c> escaped, octets outside printable ASCII as <c>\DDD</c>.</summary>
    public static string Quote(byte[] octets)
    {
        var sb = new StringBuilder(octets.Length + 2).Append('"');
        foreach (var b in octets)
        {
            if (b is (byte)'"' or (byte)'\\') sb.Append('\\').Append((char)b);
            else if (b is < 0x20 or >= 0x7f) sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            else sb.Append((char)b);
        }
        return sb.Append('"').ToString();
    }
}

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
