using System.Net;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>Where an address is: the country database geo_block enforces (<c>GeoIpMmdb</c> or <c>GeoIpCsv</c>).</summary>
public interface ICountryDatabase
{
    /// <summary>The ISO 3166-1 alpha-2 code (upper case) of <paramref name="address"/>, or null when the database does not know it.</summary>
    string? Lookup(IPAddress address);

    /// <summary>Whether it knows any address at all.</summary>
    bool HasData { get; }

    /// <summary>What it is, for the log.</summary>
    string Description { get; }
}
