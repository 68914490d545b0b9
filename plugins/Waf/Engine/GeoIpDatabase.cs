using System.Net;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// IP-range-to-country lookups from an operator-supplied CSV. Each line is either
/// <c>cidr,country</c> or <c>first_ip,last_ip,country</c> (two-letter code); a header line and
/// lines starting with <c>#</c> are skipped.
/// </summary>
public sealed class GeoIpDatabase : ICountryDatabase
{
    private readonly (UInt128 First, UInt128 Last, string Country)[] _v4;
    private readonly (UInt128 First, UInt128 Last, string Country)[] _v6;

    private GeoIpDatabase(List<(bool V6, UInt128 First, UInt128 Last, string Country)> ranges)
    {
        _v4 = ranges.Where(r => !r.V6).Select(r => (r.First, r.Last, r.Country)).OrderBy(r => r.First).ToArray();
        _v6 = ranges.Where(r => r.V6).Select(r => (r.First, r.Last, r.Country)).OrderBy(r => r.First).ToArray();
    }

    public static GeoIpDatabase Empty { get; } = new([]);

    public int Count => _v4.Length + _v6.Length;

    public bool HasData => Count > 0;

    public string Description => $"{Count} ranges";

    public static GeoIpDatabase Parse(TextReader reader)
    {
        var ranges = new List<(bool, UInt128, UInt128, string)>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            var country = fields[^1];
            if (country.Length != 2 || !country.All(char.IsAsciiLetter))
            {
                if (lineNumber == 1) continue; // header
                throw new FormatException($"line {lineNumber}: '{country}' is not a two-letter country code");
            }
            if (fields.Length == 2 && IpNetwork.TryParse(fields[0], out var net, out _))
            {
                var hostBits = net.Bits - net.PrefixLength;
                var last = net.Network | (hostBits == 0 ? 0 : (UInt128.MaxValue >> (128 - hostBits)));
                ranges.Add((net.IsV6, net.Network, last, fields[1].ToUpperInvariant()));
            }
            else if (fields.Length >= 3 && IPAddress.TryParse(fields[0], out var first) && IPAddress.TryParse(fields[1], out var lastAddress))
            {
                var (v6, a) = IpNetwork.ToKey(first);
                var (v6b, b) = IpNetwork.ToKey(lastAddress);
                if (v6 != v6b || b < a) throw new FormatException($"line {lineNumber}: invalid range");
                ranges.Add((v6, a, b, fields[2].ToUpperInvariant()));
            }
            else if (lineNumber != 1) throw new FormatException($"line {lineNumber}: expected 'cidr,country' or 'first,last,country'");
        }
        return new GeoIpDatabase(ranges);
    }

    public static GeoIpDatabase Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader);
    }

    public string? Lookup(IPAddress address)
    {
        var (v6, value) = IpNetwork.ToKey(address);
        var ranges = v6 ? _v6 : _v4;
        int lo = 0, hi = ranges.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (ranges[mid].First <= value) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        // ranges may nest; look back over the few that start before the address
        for (var i = found; i >= 0 && i > found - 8; i--)
            if (ranges[i].Last >= value) return ranges[i].Country;
        return null;
    }
}
