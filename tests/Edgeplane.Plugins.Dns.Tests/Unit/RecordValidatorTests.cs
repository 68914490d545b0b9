using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class RecordValidatorTests
{
    private static (DnsRecord? Record, Dictionary<string, List<string>> Errors) V(string zone, RecordInput input)
    {
        var errors = new Dictionary<string, List<string>>();
        return (RecordValidator.Validate(zone, input, errors), errors);
    }

    [Theory]
    [InlineData("www", "A", "192.0.2.1", "www", "192.0.2.1")]
    [InlineData("@", "A", "192.0.2.1", "@", "192.0.2.1")]
    [InlineData("", "A", "192.0.2.1", "@", "192.0.2.1")]
    [InlineData("WWW.Example.COM.", "A", "192.0.2.1", "www", "192.0.2.1")]
    [InlineData("www.example.com", "A", "192.0.2.1", "www", "192.0.2.1")]
    [InlineData("a.b", "AAAA", "2001:DB8:0:0::1", "a.b", "2001:db8::1")]
    [InlineData("alias", "CNAME", "Target.Example.NET.", "alias", "target.example.net")]
    [InlineData("s1._domainkey", "CNAME", "s1.dkim.example.net", "s1._domainkey", "s1.dkim.example.net")]
    [InlineData("sub", "NS", "ns.other.net", "sub", "ns.other.net")]
    [InlineData("_dmarc", "TXT", "v=DMARC1; p=none", "_dmarc", "v=DMARC1; p=none")]
    public void Accepts_and_normalizes(string label, string type, string value, string name, string normalized)
    {
        var (record, errors) = V("example.com", new RecordInput(label, type, 300, value));
        Assert.Empty(errors);
        Assert.Equal(name, record!.Name);
        Assert.Equal(normalized, record.Value);
        Assert.Equal(type, record.Type);
    }

    [Theory]
    [InlineData("www", "A", 300, "300.1.1.1", "value")]
    [InlineData("www", "A", 300, "192.0.2", "value")]
    [InlineData("www", "A", 300, "2001:db8::1", "value")]
    [InlineData("www", "AAAA", 300, "192.0.2.1", "value")]
    [InlineData("www", "AAAA", 300, "fe80::1%eth0", "value")]
    [InlineData("www", "A", 0, "192.0.2.1", "ttl")]
    [InlineData("www", "A", 604801, "192.0.2.1", "ttl")]
    [InlineData("-bad", "A", 300, "192.0.2.1", "label")]
    [InlineData("bad-", "A", 300, "192.0.2.1", "label")]
    [InlineData("a..b", "A", 300, "192.0.2.1", "label")]
    [InlineData("sp ace", "A", 300, "192.0.2.1", "label")]
    [InlineData("*", "A", 300, "192.0.2.1", "label")]
    [InlineData("www.other.org.", "A", 300, "192.0.2.1", "label")]
    [InlineData("www", "SOA", 300, "x", "type")]
    [InlineData("www", "HINFO", 300, "x", "type")]
    [InlineData("", "", 300, "x", "type")]
    [InlineData("@", "CNAME", 300, "target.example.net", "label")]
    [InlineData("x", "CNAME", 300, "bad..name", "value")]
    [InlineData("@", "NS", 300, "ns.example.net", "label")]
    [InlineData("sub", "NS", 300, "ns_1.example.net", "value")]
    [InlineData("1", "PTR", 300, "host.example.com", "type")]
    [InlineData("sub", "NS", 300, "192.0.2.1", "value")]
    [InlineData("x", "CNAME", 300, "192.0.2.1", "value")]
    [InlineData("x", "CNAME", 300, "host.123", "value")]
    [InlineData("www", "TXT", 300, "", "value")]
    [InlineData("www", "TXT", 300, "bell\u0007", "value")]
    [InlineData("www", "A", 300, "", "value")]
    public void Rejects_naming_the_field(string label, string type, int ttl, string value, string field)
    {
        var (record, errors) = V("example.com", new RecordInput(label, type, ttl, value));
        Assert.Null(record);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void Label_length_limits()
    {
        Assert.Contains("label", V("example.com", new RecordInput(new string('a', 64), "A", 300, "192.0.2.1")).Errors.Keys);
        Assert.Empty(V("example.com", new RecordInput(new string('a', 63), "A", 300, "192.0.2.1")).Errors);
        var longName = string.Join(".", Enumerable.Repeat(new string('a', 60), 5));
        Assert.Contains("label", V("example.com", new RecordInput(longName, "A", 300, "192.0.2.1")).Errors.Keys);
    }

    [Fact]
    public void Mx_srv_caa_options()
    {
        Assert.Contains("priority", V("example.com", new RecordInput("@", "MX", 300, "mail.example.com")).Errors.Keys);
        Assert.Contains("priority", V("example.com", new RecordInput("@", "MX", 300, "mail.example.com", Priority: 65536)).Errors.Keys);
        var mx = V("example.com", new RecordInput("@", "MX", 300, "Mail.Example.com.", Priority: 10)).Record!;
        Assert.Equal("10 mail.example.com.", mx.Presentation());

        var srv = V("example.com", new RecordInput("_sip._tcp", "SRV", 300, "sip.example.com", Priority: 10, Weight: 5, Port: 5060)).Record!;
        Assert.Equal("10 5 5060 sip.example.com.", srv.Presentation());
        var errors = V("example.com", new RecordInput("sip", "SRV", 300, "sip.example.com", Priority: -1, Weight: 70000)).Errors;
        Assert.Contains("priority", errors.Keys);
        Assert.Contains("weight", errors.Keys);
        Assert.Contains("port", errors.Keys);
        Assert.Contains("label", errors.Keys);

        var caa = V("example.com", new RecordInput("@", "CAA", 300, "letsencrypt.org", Flags: 0, Tag: "issue")).Record!;
        Assert.Equal("0 issue \"letsencrypt.org\"", caa.Presentation());
        Assert.Contains("tag", V("example.com", new RecordInput("@", "CAA", 300, "x", Tag: "bad tag")).Errors.Keys);
        Assert.Contains("flags", V("example.com", new RecordInput("@", "CAA", 300, "x", Flags: 256, Tag: "issue")).Errors.Keys);
    }

    [Fact]
    public void Ptr_only_in_reverse_zones()
    {
        var ok = V("2.0.192.in-addr.arpa", new RecordInput("1", "PTR", 300, "host.example.com")).Record!;
        Assert.Equal("host.example.com.", ok.Presentation());
        Assert.NotNull(V("8.b.d.0.1.0.0.2.ip6.arpa", new RecordInput("1.0", "PTR", 300, "host.example.com")).Record);
        Assert.Contains("type", V("example.com", new RecordInput("1", "PTR", 300, "host.example.com")).Errors.Keys);
    }

    [Fact]
    public void Txt_is_split_and_escaped()
    {
        var txt = V("example.com", new RecordInput("t", "TXT", 300, "say \"hi\" \\ é")).Record!;
        Assert.Equal("\"say \\\"hi\\\" \\\\ \\195\\169\"", txt.Presentation());
        var longText = new string('x', 600);
        var chunks = ZoneText.TxtChunks(longText).ToList();
        Assert.Equal([255, 255, 90], chunks.Select(c => c.Length));
        // Never inside a UTF-8 character: 254 + "é" (2 octets) cannot fill the first string.
        var strict = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var text in new[] { new string('x', 254) + "é" + new string('y', 300), new string('x', 253) + "€€", new string('x', 252) + "😀😀", string.Concat(Enumerable.Repeat("€", 600)) })
        {
            var parts = ZoneText.TxtChunks(text).ToList();
            Assert.All(parts, p => Assert.InRange(p.Length, 1, 255));
            Assert.Equal(text, string.Concat(parts.Select(p => strict.GetString(p))));
        }
        Assert.Contains("value", V("example.com", new RecordInput("t", "TXT", 300, new string('x', 2049))).Errors.Keys);
    }

    [Fact]
    public void Cname_exclusivity_and_duplicates()
    {
        DnsRecord R(string name, string type, string value) =>
            V("example.com", new RecordInput(name, type, 300, value)).Record! with { Index = 1 };
        var existing = new[] { R("www", "A", "192.0.2.1"), R("alias", "CNAME", "www.example.com") };

        var errors = new Dictionary<string, List<string>>();
        RecordValidator.CheckConflicts(existing, R("www", "CNAME", "x.example.net"), errors, out _);
        Assert.Contains("label", errors.Keys);

        errors.Clear();
        RecordValidator.CheckConflicts(existing, R("alias", "TXT", "x"), errors, out _);
        Assert.Contains("label", errors.Keys);

        errors.Clear();
        RecordValidator.CheckConflicts(existing, R("alias", "CNAME", "other.example.net"), errors, out _);
        Assert.Contains("label", errors.Keys);

        errors.Clear();
        RecordValidator.CheckConflicts(existing, R("www", "A", "192.0.2.1"), errors, out var duplicate);
        Assert.True(duplicate);

        errors.Clear();
        RecordValidator.CheckConflicts(existing, R("www", "A", "192.0.2.2"), errors, out duplicate);
        Assert.False(duplicate);
        Assert.Empty(errors);
    }
}
