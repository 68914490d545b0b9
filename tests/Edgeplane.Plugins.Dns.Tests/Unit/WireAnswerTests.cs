using System.Net;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

/// <summary>
/// The allocation-free UDP path gives the full handler's answers, section for section, for every question
/// it takes; it takes the common ones (answers, NODATA, NXDOMAIN, REFUSED) and leaves the rest to the handler.
/// </summary>
public sealed class WireAnswerTests
{
    private static readonly ZoneView View = new(
        [TestZones.Snapshot("example.com", TestZones.Example), TestZones.Snapshot("sub2.example.com", new RecordInput("www", "A", 60, "192.0.2.200"))], 1);

    private static readonly string[] Names =
    [
        "example.com", "www.example.com", "WwW.Example.COM", "mail.example.com", "_sip._tcp.example.com", "alias.example.com",
        "dangling.example.com", "deep.a.b.example.com", "a.b.example.com", "b.example.com", "missing.example.com", "x.missing.example.com",
        "sub.example.com", "ns1.sub.example.com", "host.sub.example.com", "big.example.com", "www.sub2.example.com", "sub2.example.com",
        "nothing.sub2.example.com", "example.org", "com", "",
    ];

    private static readonly ushort[] Types = [RrType.A, RrType.AAAA, RrType.MX, RrType.TXT, RrType.NS, RrType.SOA, RrType.SRV, RrType.CAA, RrType.CNAME, RrType.PTR, 43, 99];

    /// <summary>Sections as comparable text: flags and rcode, question, then each record with its TTL and data.</summary>
    private static List<string> Sections(byte[] message)
    {
        var r = DnsResponse.Parse(message);
        var lines = new List<string> { $"id={r.Id} flags={r.Flags:x4}", string.Join(";", r.Questions) };
        foreach (var (section, records) in new[] { ("an", r.Answers), ("ns", r.Authority), ("ar", r.Additional) })
            lines.AddRange(records.Select(a => $"{section} {a.Name} {a.Type} {a.Class} {a.Ttl} {(a.Type == RrType.OPT ? "" : r.Render(a))}"));
        return lines;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Answers_what_the_handler_answers(bool nsInAuthority)
    {
        var options = new DnsServerOptions { NsInAuthority = nsInAuthority };
        var handler = new QueryHandler(() => View, options);
        var buffer = new byte[65535];
        var taken = new List<string>();
        foreach (var name in Names)
            foreach (var type in Types)
                foreach (ushort? edns in (ushort?[])[null, 1232, 4096, 600])
                {
                    var query = DnsResponse.Query(0x5151, name, type, edns, recursionDesired: type == RrType.MX);
                    var length = WireAnswer.TryAnswer(View, options, query, buffer);
                    if (length == 0) continue;
                    taken.Add($"{name}/{type}");
                    var expected = Assert.Single(handler.Handle(query, false, IPAddress.Loopback));
                    Assert.Equal(Sections(expected), Sections(buffer[..length]));
                }
        foreach (var common in (string[])["www.example.com/1", "WwW.Example.COM/28", "example.com/15", "example.com/6", "example.com/2", "_sip._tcp.example.com/33",
                     "www.example.com/15", "missing.example.com/1", "a.b.example.com/1", "www.sub2.example.com/1", "example.org/1", "alias.example.com/5"])
            Assert.Contains(common, taken);
        foreach (var handlers in (string[])["alias.example.com/1", "host.sub.example.com/1", "sub.example.com/2", "big.example.com/16"])
            Assert.DoesNotContain(handlers, taken);
    }

    [Fact]
    public void Leaves_odd_queries_to_the_handler()
    {
        var buffer = new byte[65535];
        var options = new DnsServerOptions();
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, DnsResponse.Query(1, "example.com", RrType.ANY), buffer));
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, DnsResponse.Query(1, "example.com", RrType.AXFR), buffer));
        var response = DnsResponse.Query(1, "www.example.com", RrType.A);
        response[2] |= 0x80;
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, response, buffer));
        var chaos = DnsResponse.Query(1, "www.example.com", RrType.A);
        chaos[^1] = 3;
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, chaos, buffer));
        var badVersion = DnsResponse.Query(1, "www.example.com", RrType.A, 1232);
        badVersion[^5] = 1;
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, badVersion, buffer));
        var compressed = DnsResponse.Query(1, "www.example.com", RrType.A)[..12].Concat(new byte[] { 0xC0, 12, 0, 1, 0, 1 }).ToArray();
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, compressed, buffer));
        Assert.Equal(0, WireAnswer.TryAnswer(View, options, new byte[5], buffer));
    }

    [Fact]
    public void Answers_without_allocating()
    {
        var options = new DnsServerOptions();
        var buffer = new byte[65535];
        var queries = new[] { "www.example.com", "missing.example.com", "example.org", "mail.example.com" }
            .Select(n => DnsResponse.Query(7, n, RrType.A, 1232)).ToArray();
        foreach (var q in queries) Assert.True(WireAnswer.TryAnswer(View, options, q, buffer) > 0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) WireAnswer.TryAnswer(View, options, queries[i % queries.Length], buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
