using System.Net;
using System.Net.Sockets;
using Edgeplane.Abstractions.Network;

namespace Edgeplane.Plugins.Waf.Matching;

/// <summary>An IPv4 or IPv6 address or CIDR range. IPv4-mapped IPv6 addresses are treated as IPv4.</summary>
public readonly record struct IpNetwork(bool IsV6, UInt128 Network, int PrefixLength)
{
    public int Bits => IsV6 ? 128 : 32;

    public static bool TryParse(string? text, out IpNetwork network, out string? error)
    {
        network = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is required";
            return false;
        }
        text = text.Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IpText.TryParseAddress(addressText, out var address))
        {
            error = $"'{text}' is not an IPv4 address in canonical dotted decimal, an IPv6 address or a CIDR range of one";
            return false;
        }
        var (isV6, value) = ToKey(address);
        var bits = isV6 ? 128 : 32;
        var prefix = bits;
        if (slash >= 0)
        {
            var written = address.IsIPv4MappedToIPv6 ? 128 : bits;
            if (!IpText.TryParseNetwork(text, out _, out prefix) || prefix > written
                || (address.IsIPv4MappedToIPv6 && prefix < 96))
            {
                error = $"'{text}' has an invalid prefix length (0 to {written})";
                return false;
            }
            if (address.IsIPv4MappedToIPv6) prefix -= 96;
        }
        network = new IpNetwork(isV6, value & Mask(isV6, prefix), prefix);
        return true;
    }

    public static (bool IsV6, UInt128 Value) ToKey(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++) value = (value << 8) | bytes[i];
        return (address.AddressFamily == AddressFamily.InterNetworkV6, value);
    }

    public static UInt128 Mask(bool isV6, int prefix)
    {
        var bits = isV6 ? 128 : 32;
        if (prefix == 0) return 0;
        var all = isV6 ? UInt128.MaxValue : (UInt128)uint.MaxValue;
        return (all << (bits - prefix)) & all;
    }

    public bool Contains(IPAddress address)
    {
        var (v6, value) = ToKey(address);
        return v6 == IsV6 && (value & Mask(IsV6, PrefixLength)) == Network;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[IsV6 ? 16 : 4];
        var v = Network;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(v & 0xff);
            v >>= 8;
        }
        var address = new IPAddress(bytes).ToString();
        return PrefixLength == Bits ? address : $"{address}/{PrefixLength}";
    }
}

public sealed record BlacklistEntry(string Id, IpNetwork Network, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>
/// Looks an address up against every blacklisted address and range: one hash lookup per prefix
/// length in use. Entries whose expiry has passed stop applying at once (checked on every lookup).
/// </summary>
public sealed class IpBlacklist
{
    private readonly Family _v4;
    private readonly Family _v6;

    public IpBlacklist(IEnumerable<BlacklistEntry> entries)
    {
        var list = entries.ToList();
        Count = list.Count;
        _v4 = new Family(list.Where(e => !e.Network.IsV6));
        _v6 = new Family(list.Where(e => e.Network.IsV6));
    }

    public static IpBlacklist Empty { get; } = new([]);

    public int Count { get; }

    public BlacklistEntry? Find(IPAddress? address, DateTimeOffset now)
    {
        if (address is null || Count == 0) return null;
        var (v6, value) = IpNetwork.ToKey(address);
        return (v6 ? _v6 : _v4).Find(v6, value, now);
    }

    private sealed class Family
    {
        private readonly (int Prefix, Dictionary<UInt128, BlacklistEntry[]> Entries)[] _byPrefix;

        public Family(IEnumerable<BlacklistEntry> entries) =>
            _byPrefix = entries.GroupBy(e => e.Network.PrefixLength)
                .OrderByDescending(g => g.Key)
                .Select(g => (g.Key, g.GroupBy(e => e.Network.Network).ToDictionary(x => x.Key, x => x.ToArray())))
                .ToArray();

        public BlacklistEntry? Find(bool v6, UInt128 value, DateTimeOffset now)
        {
            foreach (var (prefix, entries) in _byPrefix)
            {
                if (!entries.TryGetValue(value & IpNetwork.Mask(v6, prefix), out var found)) continue;
                foreach (var entry in found)
                    if (entry.ExpiresAt is null || entry.ExpiresAt > now) return entry;
            }
            return null;
        }
    }
}
