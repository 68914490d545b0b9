using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>The authoritative server, queried with real dig and kdig after records are made through the API.</summary>
public sealed class DnsServerTests(DnsServerTests.Fixture fixture) : IClassFixture<DnsServerTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public DnsHostFixture Host { get; } = new();
        public HttpClient Api { get; private set; } = null!;
        public string Zone { get; } = "served.example";
        public int Port => Host.DnsPort;

        public async ValueTask InitializeAsync()
        {
            await Host.InitializeAsync();
            (Api, _, _) = await Host.NewAccountAsync();
            await Api.PostJsonAsync("zones/add", new { zone = Zone }, HttpStatusCode.Created);
            object[] bodies =
            [
                new { label = "@", type = "A", ttl = 300, value = "192.0.2.1" },
                new { label = "www", type = "A", ttl = 300, value = "192.0.2.10" },
                new { label = "www", type = "AAAA", ttl = 300, value = "2001:db8::10" },
                new { label = "alias", type = "CNAME", ttl = 60, value = "www." + Zone },
                new { label = "@", type = "MX", ttl = 300, value = "mail." + Zone, priority = 10 },
                new { label = "mail", type = "A", ttl = 300, value = "192.0.2.25" },
                new { label = "_sip._tcp", type = "SRV", ttl = 300, value = "sip.example.net", priority = 10, weight = 20, port = 5060 },
                new { label = "@", type = "TXT", ttl = 300, value = "v=spf1 -all" },
                new { label = "@", type = "CAA", ttl = 300, value = "letsencrypt.org", flags = 0, tag = "issue" },
                new { label = "sub", type = "NS", ttl = 300, value = "ns1.sub." + Zone },
                new { label = "ns1.sub", type = "A", ttl = 300, value = "192.0.2.53" },
                new { label = "deep.ent", type = "A", ttl = 300, value = "192.0.2.77" },
                new { label = "big", type = "TXT", ttl = 300, value = new string('b', 2000) },
            ];
            foreach (var body in bodies) await Api.PostJsonAsync($"zone/{Zone}/add", body, HttpStatusCode.Created);
            await WaitForAsync(async () => (await Dig.ShortAsync(Port, "big." + Zone, "TXT", "+tcp")).Count > 0);
        }

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await Host.DisposeAsync();
        }
    }

    private int Port => fixture.Port;
    private string Zone => fixture.Zone;

    internal static async Task WaitForAsync(Func<Task<bool>> condition, int timeoutMs = 5000)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs) throw new TimeoutException("condition not met in time");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("", "A", "192.0.2.1")]
    [InlineData("www.", "A", "192.0.2.10")]
    [InlineData("www.", "AAAA", "2001:db8::10")]
    [InlineData("alias.", "CNAME", "www.served.example.")]
    [InlineData("", "MX", "10 mail.served.example.")]
    [InlineData("_sip._tcp.", "SRV", "10 20 5060 sip.example.net.")]
    [InlineData("", "TXT", "\"v=spf1 -all\"")]
    [InlineData("", "CAA", "0 issue \"letsencrypt.org\"")]
    [InlineData("", "NS", "ns1.example.net.")]
    public async Task Every_type_over_udp_and_tcp(string prefix, string type, string expected)
    {
        Assert.Contains(expected, await Dig.ShortAsync(Port, prefix + Zone, type));
        Assert.Contains(expected, await Dig.ShortAsync(Port, prefix + Zone, type, "+tcp"));
        var kdig = await Dig.KdigAsync(Port, "+short", "+tcp", prefix + Zone, type);
        Assert.Contains(expected, kdig);
    }

    [Fact]
    public async Task Soa_and_aa_flag()
    {
        var output = await Dig.DigAsync(Port, "+norec", Zone, "SOA");
        Assert.Contains("status: NOERROR", output);
        Assert.Matches(@"flags: qr aa;", output);
        Assert.Contains($"ns1.example.net. hostmaster.{Zone}.", output);
    }

    [Fact]
    public async Task Nxdomain_and_nodata_carry_the_soa_in_authority()
    {
        var nx = await Dig.DigAsync(Port, "+norec", "missing." + Zone, "A");
        Assert.Contains("status: NXDOMAIN", nx);
        Assert.Contains("flags: qr aa;", nx);
        Assert.Matches(@"AUTHORITY: 1", nx);
        Assert.Matches(@$"{Zone.Replace(".", "\\.")}\.\s+300\s+IN\s+SOA", nx);

        var nodata = await Dig.DigAsync(Port, "+norec", "www." + Zone, "MX");
        Assert.Contains("status: NOERROR", nodata);
        Assert.Contains("ANSWER: 0, AUTHORITY: 1", nodata);

        var ent = await Dig.DigAsync(Port, "+norec", "ent." + Zone, "A");
        Assert.Contains("status: NOERROR", ent);
        Assert.Contains("ANSWER: 0, AUTHORITY: 1", ent);
    }

    /// <summary>NSD serving this zone's export answers every kind of question exactly as the server does (dig's sections, TTLs included).</summary>
    [Fact]
    public async Task Answers_match_nsd_serving_the_export()
    {
        using var dir = new Edgeplane.Testing.TempDirectory();
        using (var export = await fixture.Api.GetAsync($"zone/{Zone}/export"))
            await File.WriteAllTextAsync(dir.Combine(Zone + ".zone"), await export.Content.ReadAsStringAsync());
        await using var nsd = await Nsd.StartAsync(dir, (Zone, [$"zonefile: \"{dir.Combine(Zone + ".zone")}\""]));
        await nsd.WaitForAsync(async () => (await Dig.ShortAsync(nsd.Port, Zone, "SOA")).Count == 1);
        (string Name, string Type)[] questions =
        [
            ("", "A"), ("www.", "A"), ("www.", "AAAA"), ("alias.", "A"), ("alias.", "CNAME"), ("", "MX"), ("mail.", "A"),
            ("_sip._tcp.", "SRV"), ("", "TXT"), ("", "CAA"), ("", "NS"), ("", "SOA"),
            ("missing.", "A"), ("www.", "MX"), ("ent.", "A"), ("sub.", "A"), ("host.sub.", "A"), ("ns1.sub.", "A"),
        ];
        foreach (var (name, type) in questions)
        {
            async Task<List<string>> Sections(int port) =>
                (await Dig.DigAsync(port, "+norec", "+noall", "+answer", "+authority", "+additional", name + Zone, type))
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))).Order().ToList();
            var (expected, actual) = (await Sections(nsd.Port), await Sections(Port));
            Assert.True(expected.SequenceEqual(actual), $"{name}{Zone} {type}\nNSD:\n{string.Join('\n', expected)}\nEdgeplane:\n{string.Join('\n', actual)}");
        }
    }

    [Fact]
    public async Task Cname_is_followed_in_the_zone()
    {
        var output = await Dig.ShortAsync(Port, "alias." + Zone, "A");
        Assert.Equal(["192.0.2.10", "www.served.example."], output);
    }

    [Fact]
    public async Task Delegation_is_a_referral_with_glue()
    {
        var output = await Dig.DigAsync(Port, "+norec", "host.sub." + Zone, "A");
        Assert.Contains("status: NOERROR", output);
        Assert.DoesNotContain(" aa", output.Split('\n').First(l => l.Contains("flags:")));
        Assert.Contains("ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 2", output); // NS, glue A + OPT
        Assert.Contains("192.0.2.53", output);
    }

    [Fact]
    public async Task Refuses_zones_it_does_not_serve()
    {
        Assert.Contains("status: REFUSED", await Dig.DigAsync(Port, "+norec", "example.org", "A"));
        Assert.Contains("status: REFUSED", await Dig.KdigAsync(Port, "+tcp", "example.org", "A"));
    }

    [Fact]
    public async Task Large_answers_truncate_over_udp_and_come_whole_over_tcp()
    {
        var udp = await Dig.DigAsync(Port, "+norec", "+ignore", "+bufsize=1232", "big." + Zone, "TXT");
        Assert.Contains("flags: qr aa tc;", udp);
        Assert.Contains("ANSWER: 0", udp);
        var plain = await Dig.DigAsync(Port, "+norec", "+ignore", "+noedns", "big." + Zone, "TXT");
        Assert.Contains("flags: qr aa tc;", plain);
        // dig retries over TCP on TC by itself.
        var retried = await Dig.DigAsync(Port, "+norec", "big." + Zone, "TXT");
        Assert.Contains("ANSWER: 1", retried);
        Assert.Contains("Truncated, retrying in TCP mode", retried);
        var tcp = await Dig.ShortAsync(Port, "big." + Zone, "TXT", "+tcp");
        Assert.Equal(2000, Assert.Single(tcp).Count(c => c == 'b'));
    }

    [Fact]
    public async Task Edns_is_echoed_and_any_is_minimal()
    {
        var output = await Dig.DigAsync(Port, "+norec", "+bufsize=4096", Zone, "A");
        Assert.Contains("EDNS: version: 0", output);
        Assert.Contains("udp: 1232", output);
        var any = await Dig.DigAsync(Port, "+norec", "+noall", "+answer", Zone, "ANY");
        Assert.Single(any.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^2]).Distinct());
    }

    [Fact]
    public async Task Axfr_equals_the_export()
    {
        var axfr = await Dig.DigAsync(Port, "+noall", "+answer", Zone, "AXFR");
        var transferred = axfr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith(';')).Select(NamedCheckzone.Canonical).ToList();
        Assert.Equal(transferred[0], transferred[^1]);
        using var response = await fixture.Api.GetAsync($"zone/{Zone}/export");
        var exported = await NamedCheckzone.LoadAsync(Zone, await response.Content.ReadAsStringAsync());
        Assert.Equal(exported, transferred.Skip(1).Select(NamedCheckzone.Canonical).Order().ToList());
        // Over UDP it is refused (dig always uses TCP for AXFR: send it by hand).
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(IPAddress.Loopback, Port);
        await udp.SendAsync(DnsResponse.Query(99, Zone, 252));
        var reply = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(5, DnsResponse.Parse(reply.Buffer).Rcode);
    }

    [Fact]
    public async Task Api_changes_are_served_within_a_second()
    {
        var label = "fresh" + Guid.NewGuid().ToString("N")[..6];
        Assert.Contains("status: NXDOMAIN", await Dig.DigAsync(Port, "+norec", $"{label}.{Zone}", "A"));
        var soaBefore = await Dig.ShortAsync(Port, Zone, "SOA");
        var created = await fixture.Api.PostJsonAsync($"zone/{Zone}/add", new { label, type = "A", ttl = 60, value = "192.0.2.200" }, HttpStatusCode.Created);
        var watch = Stopwatch.StartNew();
        await WaitForAsync(() => Udp.HasAsync(Port, $"{label}.{Zone}", "192.0.2.200"), 1000);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"{watch.ElapsedMilliseconds} ms");
        Assert.Contains("192.0.2.200", await Dig.ShortAsync(Port, $"{label}.{Zone}", "A"));
        Assert.NotEqual(soaBefore, await Dig.ShortAsync(Port, Zone, "SOA"));
        await fixture.Api.PostJsonAsync($"zone/{Zone}/delete_record/{(int)created["index"]!}", null, HttpStatusCode.OK);
        await WaitForAsync(() => Udp.IsNxDomainAsync(Port, $"{label}.{Zone}"), 1000);
    }

    [Fact]
    public async Task Long_txt_is_split_between_utf8_characters_in_answers_and_transfers()
    {
        // 254 ASCII octets, then two-, three- and four-octet characters: a split at octet 255 would cut "é".
        var value = new string('a', 254) + "é€😀" + new string('b', 250) + "ü";
        await fixture.Api.PostJsonAsync($"zone/{Zone}/add", new { label = "utf8", type = "TXT", value }, HttpStatusCode.Created);
        await WaitForAsync(async () => (await Dig.ShortAsync(Port, "utf8." + Zone, "TXT", "+tcp")).Count > 0);
        var answers = new[]
        {
            Assert.Single(await Dig.ShortAsync(Port, "utf8." + Zone, "TXT", "+tcp")),
            (await Dig.KdigAsync(Port, "+short", "+tcp", "utf8." + Zone, "TXT")).Trim(),
            (await Dig.DigAsync(Port, "+noall", "+answer", Zone, "AXFR")).Split('\n').Single(l => l.StartsWith("utf8.", StringComparison.Ordinal)),
        };
        foreach (var answer in answers)
        {
            var strings = Dig.CharacterStrings(answer);
            Assert.True(strings.Count > 1, answer);
            var strict = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true);
            Assert.All(strings, s => Assert.True(s.Length <= 255));
            Assert.Equal(value, string.Concat(strings.Select(s => strict.GetString(s)))); // each string decodes on its own
        }
    }

    [Fact]
    public async Task A_client_holding_idle_tcp_connections_does_not_deny_tcp_to_others()
    {
        // 300 idle connections from 127.0.0.2 (more than the server's global cap of 256).
        var hog = await OpenTcpAsync("127.0.0.2", 300);
        var other = new List<Socket>();
        try
        {
            // The server keeps 16 of them (the per-address default) and closes the rest at once.
            await WaitForAsync(() => Task.FromResult(hog.Count(IsClosed) == 300 - 16), 5000);
            // Everyone else still gets TCP: dig and kdig from 127.0.0.1, and 16 connections from 127.0.0.3.
            Assert.Equal(["192.0.2.10"], await Dig.ShortAsync(Port, "www." + Zone, "A", "+tcp"));
            Assert.Contains("192.0.2.10", await Dig.KdigAsync(Port, "+short", "+tcp", "www." + Zone, "A"));
            Assert.Equal(2, (await Dig.DigAsync(Port, "+noall", "+answer", Zone, "AXFR")).Split('\n').Count(l => l.Contains("\tSOA\t")));
            other = await OpenTcpAsync("127.0.0.3", 16);
            await Task.Delay(300);
            Assert.DoesNotContain(other, IsClosed);
        }
        finally
        {
            foreach (var s in hog.Concat(other)) s.Dispose();
        }
    }

    private async Task<List<Socket>> OpenTcpAsync(string from, int count)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
            await s.ConnectAsync(IPAddress.Loopback, Port);
            sockets.Add(s);
        }
        return sockets;
    }

    /// <summary>Whether the server closed the connection (readable with nothing to read: EOF or reset).</summary>
    private static bool IsClosed(Socket s)
    {
        try
        {
            return s.Poll(0, SelectMode.SelectRead) && s.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    [Fact]
    public async Task Survives_random_and_mutated_packets()
    {
        var random = new Random(1234);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(IPAddress.Loopback, Port);
        var seed = DnsResponse.Query(77, "www." + Zone, 1, 1232);
        for (var i = 0; i < 3000; i++)
        {
            byte[] packet;
            if (i % 3 == 0)
            {
                packet = new byte[random.Next(0, 600)];
                random.NextBytes(packet);
            }
            else
            {
                packet = (byte[])seed.Clone();
                for (var j = random.Next(1, 8); j > 0; j--) packet[random.Next(packet.Length)] = (byte)random.Next(256);
                if (random.Next(3) == 0) packet = packet[..random.Next(packet.Length)];
            }
            await udp.SendAsync(packet);
        }
        // Hostile TCP: a length prefix and then nothing, and garbage frames.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(new byte[] { 0xFF, 0xFF, 1, 2, 3 });
            using var garbage = new TcpClient();
            await garbage.ConnectAsync(IPAddress.Loopback, Port);
            var bytes = new byte[300];
            random.NextBytes(bytes);
            bytes[0] = 0;
            bytes[1] = 40;
            await garbage.GetStream().WriteAsync(bytes);
            // The server still answers correctly, over both transports (once it has worked through the flood: on a
            // loaded machine that can take longer than one dig attempt, so a few attempts; a dead server fails).
            await WaitForAsync(async () => (await Dig.ShortAsync(Port, "www." + Zone, "A")).SequenceEqual(["192.0.2.10"]), 15000);
            Assert.Equal(["192.0.2.10"], await Dig.ShortAsync(Port, "www." + Zone, "A", "+tcp"));
        }
        // Responses never exceed 512 bytes for a client without EDNS.
        udp.Client.ReceiveTimeout = 2000;
        while (udp.Available > 0) await udp.ReceiveAsync();
        await udp.SendAsync(DnsResponse.Query(78, "big." + Zone, 16));
        UdpReceiveResult reply;
        do reply = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(2));
        while (reply.Buffer.Length >= 2 && (reply.Buffer[0] << 8 | reply.Buffer[1]) != 78);
        Assert.True(reply.Buffer.Length <= 512);
        Assert.True(DnsResponse.Parse(reply.Buffer).Truncated);
    }
}
