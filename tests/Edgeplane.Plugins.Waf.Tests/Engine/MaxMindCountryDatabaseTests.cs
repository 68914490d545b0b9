using System.Net;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

public sealed class MaxMindCountryDatabaseTests
{
    [Fact]
    public void Looks_up_the_country_of_an_address_in_a_maxmind_format_file()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("countries.mmdb");
        new MmdbWriter().Add("127.0.0.1/32", "CN").Add("127.0.0.2/32", "RU").Add("127.0.1.0/24", "US").Add("10.0.0.0/8", "de").Write(path);
        using var db = new MaxMindCountryDatabase(path);
        Assert.Equal("CN", db.Lookup(IPAddress.Parse("127.0.0.1")));
        Assert.Equal("RU", db.Lookup(IPAddress.Parse("127.0.0.2")));
        Assert.Equal("RU", db.Lookup(IPAddress.Parse("::ffff:127.0.0.2")));
        Assert.Equal("US", db.Lookup(IPAddress.Parse("127.0.1.200")));
        Assert.Equal("DE", db.Lookup(IPAddress.Parse("10.20.30.40")));
        Assert.Null(db.Lookup(IPAddress.Parse("127.0.0.3")));
        Assert.Null(db.Lookup(IPAddress.Parse("::1"))); // an IPv6 address in an IPv4-only database
        Assert.True(db.HasData);
        Assert.Contains("Edgeplane-Test-Country", db.Description);
    }

    [Fact]
    public void A_file_that_is_not_a_maxmind_database_is_refused_when_loaded()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("not.mmdb");
        File.WriteAllText(path, "127.0.0.0/8,CN\n");
        Assert.ThrowsAny<Exception>(() => new MaxMindCountryDatabase(path));
    }
}
