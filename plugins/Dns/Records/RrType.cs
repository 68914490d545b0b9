using System.Globalization;

namespace Edgeplane.Plugins.Dns.Records;

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
