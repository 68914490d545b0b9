using System.Net;
using System.Text;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Dns.Records;

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
