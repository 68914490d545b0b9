using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

/// <summary>Builds zones from record inputs through the real validator, as the API does.</summary>
internal static class TestZones
{
    public static List<DnsRecord> Records(string zone, params RecordInput[] inputs)
    {
        var list = new List<DnsRecord>();
        foreach (var input in inputs)
        {
            var errors = new Dictionary<string, List<string>>();
            var record = RecordValidator.Validate(zone, input, errors)
                ?? throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(",", e.Value))));
            list.Add(record with { Index = list.Count + 1 });
        }
        return list;
    }

    public static SoaData Soa(string zone, long serial = 7) => new("ns1.example.net", "hostmaster." + zone, serial, 3600, 600, 1209600, 300, 3600);

    public static ZoneSnapshot Snapshot(string zone, params RecordInput[] inputs) =>
        new(zone, Soa(zone), ["ns1.example.net", "ns2.example.net"], 86400, Records(zone, inputs));

    public static readonly RecordInput[] Example =
    [
        new("@", "A", 300, "192.0.2.1"),
        new("www", "A", 300, "192.0.2.10"),
        new("www", "A", 300, "192.0.2.11"),
        new("www", "AAAA", 300, "2001:db8::10"),
        new("alias", "CNAME", 300, "www.example.com"),
        new("dangling", "CNAME", 300, "missing.example.com"),
        new("outside", "CNAME", 300, "www.example.org"),
        new("@", "MX", 300, "mail.example.com", Priority: 10),
        new("mail", "A", 300, "192.0.2.25"),
        new("_sip._tcp", "SRV", 300, "sip.example.com", Priority: 10, Weight: 5, Port: 5060),
        new("@", "TXT", 300, "v=spf1 -all"),
        new("@", "CAA", 300, "letsencrypt.org", Flags: 0, Tag: "issue"),
        new("deep.a.b", "A", 300, "192.0.2.99"),
        new("sub", "NS", 300, "ns1.sub.example.com"),
        new("ns1.sub", "A", 300, "192.0.2.53"),
        new("big", "TXT", 300, new string('x', 2000)),
    ];
}
