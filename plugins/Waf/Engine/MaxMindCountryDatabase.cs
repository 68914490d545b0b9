using System.Net;
using System.Net.Sockets;
using MaxMind.Db;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// Country lookups in a MaxMind-format database (<c>.mmdb</c>: GeoLite2/GeoIP2 Country or City, and the
/// other vendors' files in that format): the record's <c>country.iso_code</c>, else its
/// <c>registered_country.iso_code</c>. The file is memory-mapped, read with the <c>MaxMind.Db</c> reader.
/// </summary>
public sealed class MaxMindCountryDatabase : ICountryDatabase, IDisposable
{
    private readonly Reader _reader;

    public MaxMindCountryDatabase(string path) => _reader = new Reader(path, FileAccessMode.MemoryMapped);

    public bool HasData => true;

    public string Description => $"{_reader.Metadata.DatabaseType}, built {_reader.Metadata.BuildDate:yyyy-MM-dd}";

    public string? Lookup(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && _reader.Metadata.IPVersion == 4) return null;
        var record = _reader.Find<Dictionary<string, object>>(address);
        return IsoCode(record, "country") ?? IsoCode(record, "registered_country");
    }

    private static string? IsoCode(Dictionary<string, object>? record, string key) =>
        record?.GetValueOrDefault(key) is Dictionary<string, object> part && part.GetValueOrDefault("iso_code") is string code
            ? code.ToUpperInvariant() : null;

    public void Dispose() => _reader.Dispose();
}
