using System.Net;
using Edgeplane.Plugins.Waf.Engine;


using Edgeplane.Plugins.Waf.Matching;
using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Tests.Engine;

public sealed class BlacklistRateGeoTests
{
    private static BlacklistEntry Entry(string network, DateTimeOffset? expires = null)
    {
        Assert.True(IpNetwork.TryParse(network, out var net, out var error), error);
        return new BlacklistEntry(network, net, "test", DateTimeOffset.UtcNow, expires);
    }

    [Theory]
    [InlineData("192.0.2.100", "192.0.2.100", true)]
    [InlineData("192.0.2.100", "192.0.2.101", false)]
    [InlineData("10.1.0.0/16", "10.1.255.7", true)]
    [InlineData("10.1.0.0/16", "10.2.0.1", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("192.0.2.0/24", "::ffff:192.0.2.9", true)]
    [InlineData("::ffff:192.0.2.0/120", "192.0.2.9", true)]
    [InlineData("192.0.2.0/24", "2001:db8::1", false)]
    public void Addresses_and_ranges_match(string network, string address, bool expected)
    {
        var list = new IpBlacklist([Entry(network)]);
        Assert.Equal(expected, list.Find(IPAddress.Parse(address), DateTimeOffset.UtcNow) is not null);
    }

    [Theory]
    [InlineData("300.1.1.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("example.com")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("")]
    public void Bad_addresses_are_rejected(string text) => Assert.False(IpNetwork.TryParse(text, out _, out _));

    [Fact]
    public void Host_bits_are_cleared_and_printed_canonically()
    {
        Assert.True(IpNetwork.TryParse("10.1.2.3/8", out var n, out _));
        Assert.Equal("10.0.0.0/8", n.ToString());
        Assert.True(IpNetwork.TryParse("2001:DB8:0:0::1", out var v6, out _));
        Assert.Equal("2001:db8::1", v6.ToString());
    }

    [Fact]
    public void Expired_entries_stop_applying()
    {
        var now = DateTimeOffset.UtcNow;
        var list = new IpBlacklist([Entry("192.0.2.1", now.AddSeconds(2))]);
        Assert.NotNull(list.Find(IPAddress.Parse("192.0.2.1"), now.AddSeconds(1.9)));
        Assert.Null(list.Find(IPAddress.Parse("192.0.2.1"), now.AddSeconds(2)));
    }

    [Fact]
    public void Rate_limit_answers_with_retry_after_and_refills()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var limiter = new RateLimiter(clock);
        var a = IPAddress.Parse("127.0.0.5");
        var b = IPAddress.Parse("127.0.0.6");
        for (var i = 0; i < 5; i++) Assert.Null(limiter.Acquire(a, 5));
        Assert.Equal(1, limiter.Acquire(a, 5));
        Assert.Null(limiter.Acquire(b, 5));
        clock.Advance(TimeSpan.FromMilliseconds(450));
        Assert.Null(limiter.Acquire(a, 5));
        Assert.Null(limiter.Acquire(a, 5));
        Assert.NotNull(limiter.Acquire(a, 5));
    }

    [Fact]
    public void Geo_database_reads_both_csv_shapes()
    {
        var db = GeoIpDatabase.Parse(new StringReader("network,country\n127.0.0.0/24,CN\n127.0.1.0,127.0.1.255,ru\n2001:db8::/48,DE\n"));
        Assert.Equal("CN", db.Lookup(IPAddress.Parse("127.0.0.9")));
        Assert.Equal("RU", db.Lookup(IPAddress.Parse("127.0.1.200")));
        Assert.Null(db.Lookup(IPAddress.Parse("127.0.2.1")));
        Assert.Equal("DE", db.Lookup(IPAddress.Parse("2001:db8::5")));
        Assert.Throws<FormatException>(() => GeoIpDatabase.Parse(new StringReader("a,b\n1.2.3.4,nope\n")));
    }

    [Fact]
    public void Policy_applies_blacklist_geo_and_rate_limit_in_the_engine()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var engine = new WafEngine(clock, new WafCounters(clock))
        {
            Geo = GeoIpDatabase.Parse(new StringReader("127.0.9.0/24,CN\n")),
        };
        var policy = EffectivePolicy.From("strict-mode", [new PolicyRule { Type = "rate_limit", Value = 2 }, new PolicyRule { Type = "geo_block", Countries = ["CN", "RU"] }]);
        engine.Apply(EngineSnapshot.Empty with { Policy = policy, Blacklist = new IpBlacklist([Entry("127.0.5.0/24")]) });
        InspectionRequest From(string ip) => new(IPAddress.Parse(ip), "GET", "/", "", [], null);
        Assert.Equal("blacklist", engine.Inspect(From("127.0.5.77")).AttackType);
        Assert.Equal("geo_block", engine.Inspect(From("127.0.9.1")).AttackType);
        Assert.Equal(VerdictKind.Pass, engine.Inspect(From("127.0.0.1")).Kind);
        Assert.Equal(VerdictKind.Pass, engine.Inspect(From("127.0.0.1")).Kind);
        var limited = engine.Inspect(From("127.0.0.1"));
        Assert.Equal(VerdictKind.RateLimited, limited.Kind);
        Assert.Equal(1, limited.RetryAfterSeconds);
        Assert.Equal(3, engine.Counters.TopAttackers(10).Count);
    }

    [Theory]
    [InlineData("""[{"type":"rate_limit","value":0}]""", "rules[0].value")]
    [InlineData("""[{"type":"geo_block","countries":["CHN"]}]""", "rules[0].countries")]
    [InlineData("""[{"type":"teleport"}]""", "rules[0].type")]
    [InlineData("""[{"type":"rule_set","name":"nope"}]""", "rules[0].name")]
    public void Bad_policies_name_the_field(string json, string field)
    {
        var rules = System.Text.Json.JsonSerializer.Deserialize<List<PolicyRule>>(json, System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Contains(field, EffectivePolicy.Validate(rules).Keys);
    }
}
