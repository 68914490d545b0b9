using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class MasterFileReaderTests
{
    private static List<string> Loaded(MasterFile file) =>
        file.Records.Select(r =>
        {
            var errors = new Dictionary<string, List<string>>();
            var record = RecordValidator.Validate("example.com", r.Input, errors);
            Assert.True(record is not null, $"line {r.Line} {r.Text}: {string.Join("; ", errors.Select(e => e.Key + " " + string.Join(",", e.Value)))}");
            return $"{DnsNames.Absolute(record.Name, "example.com")} {record.Ttl} {record.Type} {record.Presentation()}";
        }).ToList();

    [Fact]
    public void Reads_what_other_servers_write()
    {
        var file = MasterFileReader.Read(ZoneFiles.BindStyle, "example.com");
        Assert.Empty(file.Errors);
        Assert.Equal(
        [
            "example.com 3600 MX 10 mail.example.com.",
            "example.com 3600 MX 20 mx.example.org.",
            "example.com 300 TXT \"v=spf1 mx -all\"",
            "example.com 3600 CAA 0 issue \"letsencrypt.org\"",
            "www.example.com 300 A 192.0.2.80",
            "www.example.com 300 AAAA 2001:db8::80",
            "mail.example.com 3600 A 192.0.2.25",
            "alias.example.com 3600 CNAME www.example.com.",
            "_sip._tcp.example.com 3600 SRV 10 5 5060 sip.example.com.",
            "sip.example.com 3600 A 192.0.2.60",
            "quoted.example.com 3600 TXT \"say \\\"hi\\\"; not a commentcaf\\195\\169semi;colon\"",
            "sub.example.com 86400 NS ns1.sub.example.com.",
            "ns1.sub.example.com 3600 A 192.0.2.53",
            "long.example.com 172800 TXT \"firstsecond\"",
        ], Loaded(file));
        // the SOA and the apex NS set are the zone's own: skipped, each with its line
        Assert.Equal([4, 8, 9], file.Skipped.Select(s => s.Line));
        Assert.Equal(20, file.Records.Single(r => r.Input.Value!.StartsWith("say", StringComparison.Ordinal)).Line);
    }

    [Fact]
    public void Every_refused_line_is_reported_with_its_number_text_and_reason()
    {
        const string text = """
            $TTL 300
            ok      A 192.0.2.1
            signed  RRSIG A 13 2 300 20300101000000 20200101000000 1 example.com. abc=
            $INCLUDE other.zone
            chaos   CH TXT "x"
            open    TXT "no end
            two     A 192.0.2.1 192.0.2.2
            mx      MX ten mail
            deep    A (192.0.2.7
            """;
        var file = MasterFileReader.Read(text, "example.com");
        Assert.Equal(["ok.example.com."], file.Records.Select(r => r.Input.Label));
        var errors = file.Errors.OrderBy(e => e.Line).ToList();
        Assert.Equal([3, 4, 5, 6, 7, 8, 9], errors.Select(e => e.Line));
        Assert.Contains("RRSIG", errors[0].Reason);
        Assert.StartsWith("signed", errors[0].Text);
        Assert.Contains("$INCLUDE", errors[1].Reason);
        Assert.Contains("IN", errors[2].Reason);
        Assert.Contains("unterminated", errors[3].Reason);
        Assert.Contains("1 value", errors[4].Reason);
        Assert.StartsWith("priority", errors[5].Reason);
        Assert.Contains("without ')'", errors[6].Reason);
    }

    [Fact]
    public void A_record_without_any_ttl_is_refused_and_a_later_one_takes_the_last_ttl()
    {
        var file = MasterFileReader.Read("a A 192.0.2.1\nb 600 A 192.0.2.2\nc A 192.0.2.3\n  TXT hello\n", "example.com");
        Assert.Contains("no TTL", Assert.Single(file.Errors).Reason);
        Assert.Equal(new[] { ("b.example.com.", 600), ("c.example.com.", 600), ("c.example.com.", 600) }, file.Records.Select(r => (r.Input.Label!, r.Input.Ttl!.Value)));
    }

    [Theory]
    [InlineData("300", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("1W", 604800)]
    [InlineData("2d3s", 172803)]
    [InlineData("h", null)]
    [InlineData("1x", null)]
    [InlineData("99999999999", null)]
    public void Ttls_in_seconds_or_bind_units(string text, int? seconds) => Assert.Equal(seconds, MasterFileReader.Ttl(text));

    [Fact]
    public void The_export_reads_back_as_the_same_records()
    {
        var records = TestZones.Records("example.com", [.. TestZones.Example, new RecordInput("utf8", "TXT", 300, new string('é', 200) + "\"\\;")]);
        var text = ZoneFile.Export("example.com", TestZones.Soa("example.com"), ["ns1.example.net", "ns2.example.net"], 86400, records);
        var file = MasterFileReader.Read(text, "example.com");
        Assert.Empty(file.Errors);
        Assert.Equal(3, file.Skipped.Count); // SOA and the two apex NS
        Assert.Equal(records.Select(r => $"{DnsNames.Absolute(r.Name, "example.com")} {r.Ttl} {r.Type} {r.Presentation()}"), Loaded(file));
    }
}
