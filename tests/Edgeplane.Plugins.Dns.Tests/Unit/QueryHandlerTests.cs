using System.Net;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class QueryHandlerTests
{
    private readonly QueryHandler _handler;
    private readonly DnsServerOptions _options = new() { TransferAllowed = ["127.0.0.0/8"] };

    public QueryHandlerTests()
    {
        var view = new ZoneView([TestZones.Snapshot("example.com", TestZones.Example)], 1);
        _handler = new QueryHandler(() => view, _options);
    }

    private DnsResponse Ask(string name, ushort type, ushort? edns = 1232, bool tcp = false, string client = "127.0.0.1")
    {
        var messages = _handler.Handle(DnsResponse.Query(0x1234, name, type, edns), tcp, IPAddress.Parse(client));
        var response = DnsResponse.Parse(Assert.Single(messages));
        Assert.Equal(0x1234, response.Id);
        return response;
    }

    [Fact]
    public void Answers_a_records_authoritatively()
    {
        var r = Ask("WWW.example.com", RrType.A);
        Assert.Equal(0, r.Rcode);
        Assert.True(r.Authoritative);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], r.Answers.Select(r.Render).Order());
        Assert.All(r.Answers, a => Assert.Equal(300u, a.Ttl));
        Assert.Equal("www.example.com", r.Questions[0].Name);
        Assert.Equal(0x1234 >> 8, r.Message[0]);
    }

    [Theory]
    [InlineData("example.com", RrType.MX, "10 mail.example.com.")]
    [InlineData("_sip._tcp.example.com", RrType.SRV, "10 5 5060 sip.example.com.")]
    [InlineData("example.com", RrType.TXT, "v=spf1 -all")]
    [InlineData("www.example.com", RrType.AAAA, "2001:db8::10")]
    [InlineData("alias.example.com", RrType.CNAME, "www.example.com.")]
    [InlineData("example.com", RrType.NS, "ns1.example.net.")]
    public void Answers_each_type(string name, ushort type, string expected)
    {
        var r = Ask(name, type);
        Assert.Equal(0, r.Rcode);
        Assert.Contains(expected, r.Answers.Select(r.Render));
    }

    [Theory]
    [InlineData("www.example.com", RrType.A)]
    [InlineData("example.com", RrType.MX)]
    [InlineData("alias.example.com", RrType.A)]
    [InlineData("example.com", RrType.SOA)]
    public void Positive_answers_carry_the_zone_name_servers_in_authority(string name, ushort type)
    {
        var r = Ask(name, type);
        Assert.NotEmpty(r.Answers);
        Assert.All(r.Authority, a => Assert.Equal((RrType.NS, "example.com"), (a.Type, a.Name)));
        Assert.Equal(["ns1.example.net.", "ns2.example.net."], r.Authority.Select(r.Render).Order());
    }

    [Fact]
    public void Name_servers_are_not_repeated_in_authority_nor_given_when_switched_off()
    {
        Assert.Empty(Ask("example.com", RrType.NS).Authority);
        var view = new ZoneView([TestZones.Snapshot("example.com", TestZones.Example)], 1);
        var minimal = new QueryHandler(() => view, new DnsServerOptions { NsInAuthority = false });
        var r = DnsResponse.Parse(Assert.Single(minimal.Handle(DnsResponse.Query(1, "www.example.com", RrType.A, 1232), false, IPAddress.Loopback)));
        Assert.Equal(2, r.Answers.Count);
        Assert.Empty(r.Authority);
    }

    [Fact]
    public void Name_servers_in_authority_are_dropped_rather_than_truncating()
    {
        // An answer that fits in 512 octets only without the authority section is sent whole, without TC and without NS.
        var view = new ZoneView([TestZones.Snapshot("example.com", new RecordInput("fill", "TXT", 300, new string('f', 420)))], 1);
        var handler = new QueryHandler(() => view, new DnsServerOptions());
        var r = DnsResponse.Parse(Assert.Single(handler.Handle(DnsResponse.Query(1, "fill.example.com", RrType.TXT), false, IPAddress.Loopback)));
        Assert.False(r.Truncated);
        Assert.Single(r.Answers);
        Assert.Empty(r.Authority);
        var withNs = DnsResponse.Parse(Assert.Single(handler.Handle(DnsResponse.Query(1, "fill.example.com", RrType.TXT, 1232), false, IPAddress.Loopback)));
        Assert.Equal(2, withNs.Authority.Count);
    }

    [Fact]
    public void Mx_answer_carries_the_exchange_address()
    {
        var r = Ask("example.com", RrType.MX);
        Assert.Contains(r.Additional, a => a.Type == RrType.A && r.Render(a) == "192.0.2.25");
    }

    [Fact]
    public void Nxdomain_and_nodata_carry_the_soa()
    {
        var nx = Ask("nope.example.com", RrType.A);
        Assert.Equal(3, nx.Rcode);
        Assert.True(nx.Authoritative);
        Assert.Empty(nx.Answers);
        var soa = Assert.Single(nx.Authority);
        Assert.Equal(RrType.SOA, soa.Type);
        Assert.Equal(300u, soa.Ttl);

        var nodata = Ask("www.example.com", RrType.MX);
        Assert.Equal(0, nodata.Rcode);
        Assert.Empty(nodata.Answers);
        Assert.Equal(RrType.SOA, Assert.Single(nodata.Authority).Type);

        // An empty non-terminal exists: NODATA, not NXDOMAIN (RFC 8020).
        var ent = Ask("a.b.example.com", RrType.A);
        Assert.Equal(0, ent.Rcode);
        Assert.Equal(RrType.SOA, Assert.Single(ent.Authority).Type);
    }

    [Fact]
    public void Cname_is_followed_inside_the_zone()
    {
        var r = Ask("alias.example.com", RrType.A);
        Assert.Equal(0, r.Rcode);
        Assert.Equal(RrType.CNAME, r.Answers[0].Type);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], r.Answers.Skip(1).Select(r.Render).Order());

        var dangling = Ask("dangling.example.com", RrType.A);
        Assert.Equal(3, dangling.Rcode);
        Assert.Single(dangling.Answers);

        var outside = Ask("outside.example.com", RrType.A);
        Assert.Equal(0, outside.Rcode);
        Assert.Equal("www.example.org.", outside.Render(Assert.Single(outside.Answers)));
    }

    [Fact]
    public void Delegation_is_a_referral_with_glue()
    {
        var r = Ask("host.sub.example.com", RrType.A);
        Assert.Equal(0, r.Rcode);
        Assert.False(r.Authoritative);
        Assert.Empty(r.Answers);
        Assert.Equal("ns1.sub.example.com.", r.Render(Assert.Single(r.Authority)));
        Assert.Contains(r.Additional, a => a.Type == RrType.A && r.Render(a) == "192.0.2.53");
    }

    [Fact]
    public void Refuses_names_outside_its_zones_and_other_classes()
    {
        Assert.Equal(5, Ask("example.org", RrType.A).Rcode);
        Assert.Equal(5, Ask("com", RrType.A).Rcode);
        Assert.False(Ask("example.org", RrType.A).Authoritative);
    }

    [Fact]
    public void Truncates_over_udp_and_not_over_tcp()
    {
        var udp = Ask("big.example.com", RrType.TXT, edns: null);
        Assert.True(udp.Truncated);
        Assert.Empty(udp.Answers);
        var small = _handler.Handle(DnsResponse.Query(1, "big.example.com", RrType.TXT, null), false, IPAddress.Loopback)[0];
        Assert.True(small.Length <= 512);
    }

    [Fact]
    public void Edns_payload_is_respected()
    {
        var capped = Ask("big.example.com", RrType.TXT, edns: 4096);
        Assert.True(capped.Truncated); // server's MaxUdpPayload (1232) applies
        Assert.Contains(capped.Additional, a => a.Type == RrType.OPT);

        var tcp = Ask("big.example.com", RrType.TXT, edns: null, tcp: true);
        Assert.False(tcp.Truncated);
        Assert.Equal(new string('x', 2000), tcp.Render(Assert.Single(tcp.Answers)));
    }

    [Fact]
    public void Any_gets_a_minimal_answer()
    {
        var r = Ask("example.com", RrType.ANY);
        Assert.Equal(0, r.Rcode);
        Assert.Single(r.Answers.Select(a => a.Type).Distinct());
    }

    [Fact]
    public void Axfr_only_over_tcp_and_to_allowed_clients()
    {
        Assert.Equal(5, Ask("example.com", RrType.AXFR, tcp: false).Rcode);
        Assert.Equal(5, Ask("example.com", RrType.AXFR, tcp: true, client: "192.0.2.200").Rcode);
        var messages = _handler.Handle(DnsResponse.Query(7, "example.com", RrType.AXFR), true, IPAddress.Loopback);
        var records = messages.Select(DnsResponse.Parse).SelectMany(m => m.Answers).ToList();
        Assert.Equal(RrType.SOA, records[0].Type);
        Assert.Equal(RrType.SOA, records[^1].Type);
        Assert.Equal(TestZones.Example.Length + 2 /* NS */ + 2 /* SOA twice */, records.Count);
    }

    /// <summary>An IXFR query carrying the client's SOA (serial <paramref name="held"/>) in the authority section.</summary>
    private static byte[] Ixfr(string zone, long held)
    {
        var w = new DnsWriter(new byte[512]);
        foreach (var value in (ushort[])[0x4242, 0, 1, 0, 1, 0]) w.U16(value);
        w.Name(zone);
        w.U16(RrType.IXFR);
        w.U16(1);
        w.Record(zone, RrType.SOA, 3600, TestZones.Soa(zone, held).Rdata());
        return w.ToArray();
    }

    private static List<string> Transferred(IReadOnlyList<byte[]> messages) =>
        messages.Select(DnsResponse.Parse).SelectMany(m => m.Answers.Select(a => a.Type == RrType.SOA ? "SOA " + m.Render(a).Split(' ')[2] : $"{a.Name} {m.Render(a)}")).ToList();

    [Fact]
    public void Ixfr_answers_from_the_journal_and_falls_back_to_the_whole_zone()
    {
        var added = TestZones.Records("example.com", new RecordInput("new", "A", 300, "192.0.2.7"));
        var removed = TestZones.Records("example.com", new RecordInput("old", "TXT", 300, "gone"));
        var zone = new ZoneSnapshot("example.com", TestZones.Soa("example.com", 9), ["ns1.example.net"], 86400, added)
        {
            Journal = [ZoneDelta.Of("example.com", 7, 8, removed, []), ZoneDelta.Of("example.com", 8, 9, [], added)],
        };
        var view = new ZoneView([zone], 1);
        var handler = new QueryHandler(() => view, _options);

        Assert.Equal(["SOA 9", "SOA 7", "old.example.com gone", "SOA 8", "SOA 8", "SOA 9", "new.example.com 192.0.2.7", "SOA 9"],
            Transferred(handler.Handle(Ixfr("example.com", 7), true, IPAddress.Loopback)));
        Assert.Equal(["SOA 9", "SOA 8", "SOA 9", "new.example.com 192.0.2.7", "SOA 9"],
            Transferred(handler.Handle(Ixfr("example.com", 8), true, IPAddress.Loopback)));
        Assert.Equal(["SOA 9"], Transferred(handler.Handle(Ixfr("example.com", 9), true, IPAddress.Loopback)));
        Assert.Equal(["SOA 9"], Transferred(handler.Handle(Ixfr("example.com", 10), true, IPAddress.Loopback)));
        // Older than the journal: the whole zone, AXFR's records.
        var full = Transferred(handler.Handle(Ixfr("example.com", 6), true, IPAddress.Loopback));
        Assert.Equal(Transferred(handler.Handle(DnsResponse.Query(1, "example.com", RrType.AXFR), true, IPAddress.Loopback)), full);
        Assert.Equal(["SOA 9", "SOA 9"], full.Where(r => r.StartsWith("SOA")));
        // Over UDP: the SOA alone, whatever the client holds (it retries over TCP).
        Assert.Equal(["SOA 9"], Transferred(handler.Handle(Ixfr("example.com", 7), false, IPAddress.Loopback)));
        // A journal that does not end at the zone's serial is not used.
        var behind = new ZoneSnapshot("example.com", TestZones.Soa("example.com", 10), ["ns1.example.net"], 86400, added) { Journal = zone.Journal };
        var stale = new ZoneView([behind], 1);
        var full10 = Transferred(new QueryHandler(() => stale, _options).Handle(Ixfr("example.com", 8), true, IPAddress.Loopback));
        Assert.Equal(["SOA 10", "SOA 10"], full10.Where(r => r.StartsWith("SOA")));
    }

    [Fact]
    public void Malformed_packets_get_formerr_or_nothing()
    {
        Assert.Empty(_handler.Handle(new byte[5], false, IPAddress.Loopback));
        var query = DnsResponse.Query(9, "www.example.com", RrType.A);
        // A response is never answered.
        var response = (byte[])query.Clone();
        response[2] |= 0x80;
        Assert.Empty(_handler.Handle(response, false, IPAddress.Loopback));
        // Truncated question: FORMERR.
        var formerr = DnsResponse.Parse(_handler.Handle(query[..15], false, IPAddress.Loopback)[0]);
        Assert.Equal(1, formerr.Rcode);
        // Compression loop in the question.
        var loop = query[..12].Concat(new byte[] { 0xC0, 12, 0, 1, 0, 1 }).ToArray();
        Assert.Equal(1, DnsResponse.Parse(_handler.Handle(loop, false, IPAddress.Loopback)[0]).Rcode);
        // Unknown opcode: NOTIMP.
        var notify = (byte[])query.Clone();
        notify[2] = 4 << 3;
        Assert.Equal(4, DnsResponse.Parse(_handler.Handle(notify, false, IPAddress.Loopback)[0]).Rcode);
    }

    [Fact]
    public void Random_packets_never_throw()
    {
        var random = new Random(42);
        var seed = DnsResponse.Query(9, "www.example.com", RrType.A, 1232);
        for (var i = 0; i < 50_000; i++)
        {
            byte[] packet;
            if (i % 2 == 0)
            {
                packet = new byte[random.Next(0, 80)];
                random.NextBytes(packet);
            }
            else
            {
                packet = (byte[])seed.Clone();
                for (var j = random.Next(1, 6); j > 0; j--) packet[random.Next(packet.Length)] = (byte)random.Next(256);
                if (random.Next(4) == 0) packet = packet[..random.Next(packet.Length)];
            }
            foreach (var message in _handler.Handle(packet, i % 3 == 0, IPAddress.Loopback))
            {
                Assert.True(message.Length <= 1232 || i % 3 == 0);
                DnsResponse.Parse(message);
            }
        }
        Assert.Equal(0, Ask("www.example.com", RrType.A).Rcode);
    }
}
