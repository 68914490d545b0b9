using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Edgeplane.Abstractions.Network;

/// <summary>
/// The one parser for IP addresses, ranges and hosts that the API stores or acts on. IPv4 is accepted only as
/// canonical dotted decimal (four parts 0-255, no leading zeros): <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// follows inet_aton and changes the meaning of other forms (<c>010.0.0.1</c> is 8.0.0.1, <c>0x7f.0.0.1</c> is
/// 127.0.0.1, <c>1</c> is 0.0.0.1). IPv6 is accepted as any valid RFC 4291 text without a zone, brackets or port
/// (an embedded IPv4 part must be canonical too); callers store <see cref="IPAddress.ToString"/>, the canonical form.
/// </summary>
public static class IpText
{
    public const string AddressRule = "must be an IPv4 address in canonical dotted decimal (192.0.2.1) or an IPv6 address (2001:db8::1)";
    public const string NetworkRule = "must be an IP address or CIDR range (192.0.2.0/24, 2001:db8::/32) with a canonical address";

    /// <summary>An IPv4 or IPv6 address written as described above.</summary>
    public static bool TryParseAddress([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Length > 45) return false;
        if (!text.Contains(':')) return TryParseIPv4(text, out address);
        if (!text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')) return false;
        var lastColon = text.LastIndexOf(':');
        var dot = text.IndexOf('.');
        if (dot >= 0 && (dot < lastColon || !TryParseIPv4(text[(lastColon + 1)..], out _))) return false;
        if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
        address = v6;
        return true;
    }

    /// <summary>Canonical dotted-decimal IPv4 only.</summary>
    public static bool TryParseIPv4([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text)) return false;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (!IsCanonicalNumber(parts[i], 3)) return false;
            var n = int.Parse(parts[i], CultureInfo.InvariantCulture);
            if (n > 255) return false;
            bytes[i] = (byte)n;
        }
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>
    /// <c>address/prefix</c> with a canonical address and a prefix of 0-32 (IPv4) or 0-128 (IPv6). Host bits may be set
    /// (<c>10.1.2.3/8</c>): the caller decides whether to refuse or mask them.
    /// </summary>
    public static bool TryParseNetwork([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address, out int prefixLength)
    {
        address = null;
        prefixLength = 0;
        var slash = text?.IndexOf('/') ?? -1;
        if (slash < 0 || !TryParseAddress(text![..slash], out var parsed)) return false;
        var bits = parsed.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = text[(slash + 1)..];
        if (!IsCanonicalNumber(prefix, 3)) return false;
        var length = int.Parse(prefix, CultureInfo.InvariantCulture);
        if (length > bits) return false;
        (address, prefixLength) = (parsed, length);
        return true;
    }

    /// <summary>A CIDR range whose host bits are zero, as <see cref="IPNetwork"/> requires.</summary>
    public static bool TryParseNetwork([NotNullWhen(true)] string? text, out IPNetwork network)
    {
        network = default;
        if (!TryParseNetwork(text, out var address, out var prefix)) return false;
        return IPNetwork.TryParse($"{address}/{prefix}", out network) && network.BaseAddress.Equals(address);
    }

    /// <summary>
    /// Checks a host a plugin connects to or hands out: an IP address (as <see cref="TryParseAddress"/>) or a DNS name.
    /// A name whose last label is numeric is an IPv4 address to resolvers and URL parsers, so it must be canonical.
    /// Returns null when the host is acceptable, else why not.
    /// </summary>
    public static string? CheckHost(string? host)
    {
        if (string.IsNullOrEmpty(host)) return "is required";
        if (host.Contains(':')) return TryParseAddress(host, out _) ? null : AddressRule;
        var last = host.TrimEnd('.').Split('.')[^1];
        var numeric = last.Length > 0 && (last.All(char.IsAsciiDigit) || last.StartsWith("0x", StringComparison.OrdinalIgnoreCase));
        if (numeric) return TryParseIPv4(host, out _) ? null : AddressRule;
        return Uri.CheckHostName(host) == UriHostNameType.Dns ? null : "must be a host name or an IP address";
    }

    /// <summary>
    /// Checks <c>host</c>, <c>host:port</c> or <c>[IPv6]:port</c> (a bare IPv6 address too), the host as
    /// <see cref="CheckHost"/>. Returns null when acceptable, else why not.
    /// </summary>
    public static string? CheckHostAndPort(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "is required";
        string host = text, port = "";
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0) return "must be host, host:port or [IPv6]:port";
            (host, port) = (text[1..close], text[(close + 1)..]);
            if (port.Length > 0 && !port.StartsWith(':')) return "must be host, host:port or [IPv6]:port";
            port = port.TrimStart(':');
        }
        else if (text.Count(c => c == ':') == 1)
            (host, port) = (text[..text.IndexOf(':')], text[(text.IndexOf(':') + 1)..]);
        if (port.Length > 0 && !(IsCanonicalNumber(port, 5) && int.Parse(port, CultureInfo.InvariantCulture) is > 0 and <= 65535))
            return "must have a port of 1-65535";
        return CheckHost(host);
    }

    private static bool IsCanonicalNumber(string text, int maxDigits) =>
        text.Length is > 0 && text.Length <= maxDigits && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0');
}
