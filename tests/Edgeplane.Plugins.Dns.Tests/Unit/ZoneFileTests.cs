using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class ZoneFileTests
{
    [Fact]
    public async Task Named_checkzone_loads_exactly_the_records()
    {
        var records = TestZones.Records("example.com", TestZones.Example);
        var text = ZoneFile.Export("example.com", TestZones.Soa("example.com", 42), ["ns1.example.net", "ns2.example.net"], 86400, records);
        var loaded = await NamedCheckzone.LoadAsync("example.com", text);

        var expected = records.Select(r => $"{DnsNames.Absolute(r.Name, "example.com")}. {r.Ttl} {r.Type} {r.Presentation()}")
            .Append("example.com. 3600 SOA ns1.example.net. hostmaster.example.com. 42 3600 600 1209600 300")
            .Append("example.com. 86400 NS ns1.example.net.")
            .Append("example.com. 86400 NS ns2.example.net.")
            .Select(NamedCheckzone.Canonical).Order().ToList();
        Assert.Equal(expected, loaded);
    }

    [Fact]
    public async Task Reverse_zone_exports_ptr()
    {
        var records = TestZones.Records("2.0.192.in-addr.arpa", new RecordInput("1", "PTR", 300, "host.example.com"));
        var text = ZoneFile.Export("2.0.192.in-addr.arpa", TestZones.Soa("2.0.192.in-addr.arpa"), ["ns1.example.net"], 86400, records);
        var loaded = await NamedCheckzone.LoadAsync("2.0.192.in-addr.arpa", text);
        Assert.Contains("1.2.0.192.in-addr.arpa. 300 PTR host.example.com.", loaded);
    }
}
