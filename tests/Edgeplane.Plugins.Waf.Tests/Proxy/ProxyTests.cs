using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Proxy;

using Edgeplane.Plugins.Waf.Matching;
using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Tests.Proxy;

public sealed class ProxyFixture : IAsyncLifetime
{
    public Upstream Upstream { get; private set; } = null!;
    public WafEngine Engine { get; } = new(TimeProvider.System, new WafCounters(TimeProvider.System));
    public WafProxy Proxy { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await Upstream.StartAsync();
        Proxy = new WafProxy(Engine, new WafProxyOptions
        {
            Listen = "http://127.0.0.1:0",
            Upstream = Upstream.Address.ToString(),
            RequestHeadersTimeoutSeconds = 2,
        });
        await Proxy.StartAsync();
        Client = new HttpClient { BaseAddress = Proxy.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    private readonly RuleMatcher.CompilationCache _cache = new();

    /// <summary>Compiled before it applies, as <see cref="SnapshotBuilder"/> does where the engine inspects traffic.</summary>
    public void UseRules(params WafRule[] rules)
    {
        var matcher = new RuleMatcher(rules, _cache);
        matcher.Compile();
        Engine.Apply(EngineSnapshot.Empty with { Rules = matcher, Version = Guid.NewGuid().ToString() });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

[Collection("proxy")]
public sealed class ProxyTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Benign_request_is_forwarded_with_forwarding_headers()
    {
        fixture.UseRules([.. DefaultRules.All]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo/a%20b?x=1&y=%2F");
        request.Headers.Host = "shop.example";
        request.Headers.Add("X-Custom", "kept");
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/echo/a%20b?x=1&y=%2F", response.Headers.GetValues("X-Upstream-Target").Single());
        Assert.Equal("shop.example", response.Headers.GetValues("X-Upstream-Host").Single());
        Assert.Equal("127.0.0.1", response.Headers.GetValues("X-Upstream-XFF").Single());
        Assert.Equal("http", response.Headers.GetValues("X-Upstream-XFP").Single());
        Assert.Equal("kept", response.Headers.GetValues("X-Upstream-Custom").Single());
        Assert.Equal("upstream=1; Path=/", response.Headers.GetValues("Set-Cookie").Single());
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task Response_headers_pass_as_the_upstream_wrote_them()
    {
        fixture.UseRules([.. DefaultRules.All]);
        using var response = await Client.GetAsync("/echo/x?headers=1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["upstream=1; Path=/", "second=2; Path=/"], response.Headers.NonValidated["Set-Cookie"]);
        Assert.Equal("no-cache,max-age=0", response.Headers.NonValidated["Cache-Control"].ToString());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(200_000)]
    [InlineData(5_000_000)]
    public async Task Bodies_pass_byte_identical_with_length_and_chunked(int size)
    {
        fixture.UseRules([.. DefaultRules.All]);
        var body = new byte[size];
        new Random(size).NextBytes(body);
        var sha = Convert.ToHexStringLower(SHA256.HashData(body));

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/octet-stream");
        using var sized = await Client.PostAsync("/echo", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, sized.StatusCode);
        Assert.Equal(sha, sized.Headers.GetValues("X-Upstream-Sha256").Single());
        Assert.Equal(body, await sized.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        // no Content-Length: HttpClient sends Transfer-Encoding: chunked
        var chunked = new StreamContent(new NonSeekable(body));
        chunked.Headers.ContentType = new("application/octet-stream");
        using var response = await Client.PutAsync("/echo", chunked, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chunked", response.Headers.GetValues("X-Upstream-Chunked").Single());
        Assert.Equal("PUT", response.Headers.GetValues("X-Upstream-Method").Single());
        Assert.Equal(sha, response.Headers.GetValues("X-Upstream-Sha256").Single());
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Streamed_chunked_response_and_upstream_status_pass_through()
    {
        fixture.UseRules();
        var bytes = await Client.GetByteArrayAsync("/stream?n=3000000", TestContext.Current.CancellationToken);
        Assert.Equal(3_000_000, bytes.Length);
        Assert.Equal(unchecked((byte)(8191 * 7)), bytes[8191]);
        using var notFound = await Client.GetAsync("/echo?status=404", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
    }

    [Theory]
    [InlineData("/?id=1%20union%20select%201", "sqli")]
    [InlineData("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "xss")]
    [InlineData("/download?file=..%2F..%2F..%2Fetc%2Fpasswd", "path_traversal")]
    [InlineData("/ping?host=127.0.0.1;whoami", "command_injection")]
    public async Task Attacks_get_a_403_problem_with_a_request_id_and_never_reach_the_upstream(string target, string attackType)
    {
        fixture.UseRules([.. DefaultRules.All]);
        var before = fixture.Upstream.Requests;
        using var response = await Client.GetAsync(target, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(403, problem.RootElement.GetProperty("status").GetInt32());
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Equal(requestId, problem.RootElement.GetProperty("requestId").GetString());
        Assert.False(problem.RootElement.TryGetProperty("attackType", out _));
        Assert.Equal(attackType, fixture.Engine.Blocks.Find(requestId)!.AttackType);
        Assert.Equal(before, fixture.Upstream.Requests);
    }

    [Fact]
    public async Task Attack_in_a_form_body_is_blocked()
    {
        fixture.UseRules([.. DefaultRules.All]);
        using var benign = await Client.PostAsync("/echo", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "Jane O'Neil", ["comment"] = "I would like to select a union representative from the list, please.",
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, benign.StatusCode);
        using var attack = await Client.PostAsync("/echo", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "x' OR '1'='1", ["comment"] = "hi",
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, attack.StatusCode);
    }

    [Fact]
    public async Task Blacklist_blocks_the_client_until_the_entry_expires()
    {
        Assert.True(IpNetwork.TryParse("127.0.0.0/8", out var net, out _));
        fixture.Engine.Apply(EngineSnapshot.Empty with
        {
            Blacklist = new IpBlacklist([new BlacklistEntry("b1", net, "repeated attacks", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(1.5))]),
        });
        using var blocked = await Client.GetAsync("/echo", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        Assert.DoesNotContain("repeated attacks", await blocked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("repeated attacks", fixture.Engine.Blocks.Find(blocked.Headers.GetValues("X-Request-Id").Single())!.Reason);
        await Task.Delay(1600, TestContext.Current.CancellationToken);
        using var after = await Client.GetAsync("/echo", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Rate_limit_answers_429_with_retry_after()
    {
        fixture.Engine.Apply(EngineSnapshot.Empty with { Policy = EffectivePolicy.From("strict", [new PolicyRule { Type = "rate_limit", Value = 5 }]) });
        try
        {
            var statuses = new List<HttpResponseMessage>();
            var sending = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 12; i++) statuses.Add(await Client.GetAsync("/echo", TestContext.Current.CancellationToken));
            // a burst of 5, then 5 more each second the requests took (a slow machine refills the bucket meanwhile)
            var refilled = (int)Math.Ceiling(sending.Elapsed.TotalSeconds * 5);
            Assert.InRange(statuses.Count(s => s.StatusCode == HttpStatusCode.OK), 5, 5 + refilled);
            var limited = statuses.First(s => s.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter!.Delta);
            foreach (var s in statuses) s.Dispose();
        }
        finally
        {
            fixture.Engine.Apply(EngineSnapshot.Empty);
        }
    }

    [Fact]
    public async Task Geo_block_uses_the_operator_csv()
    {
        fixture.Engine.Geo = GeoIpDatabase.Parse(new StringReader("127.0.0.0/8,CN\n"));
        try
        {
            fixture.Engine.Apply(EngineSnapshot.Empty with { Policy = EffectivePolicy.From("geo", [new PolicyRule { Type = "geo_block", Countries = ["RU"] }]) });
            Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/echo", TestContext.Current.CancellationToken)).StatusCode);
            fixture.Engine.Apply(EngineSnapshot.Empty with { Policy = EffectivePolicy.From("geo", [new PolicyRule { Type = "geo_block", Countries = ["CN"] }]) });
            using var blocked = await Client.GetAsync("/echo", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
            Assert.Equal("geo_block", fixture.Engine.Blocks.Find(blocked.Headers.GetValues("X-Request-Id").Single())!.AttackType);
        }
        finally
        {
            fixture.Engine.Geo = GeoIpDatabase.Empty;
            fixture.Engine.Apply(EngineSnapshot.Empty);
        }
    }

    [Fact]
    public async Task Rules_change_while_traffic_flows_without_dropping_requests()
    {
        fixture.UseRules([.. DefaultRules.All]);
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var ok = 0;
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var r = await Client.GetAsync("/echo?q=hello", CancellationToken.None);
                if (r.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok); else Interlocked.Increment(ref failures);
            }
        }).ToList();
        // swap until both sides did enough (counted, not timed: a busy machine only takes longer)
        var swaps = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((swaps <= 20 || Volatile.Read(ref ok) <= 50) && DateTime.UtcNow < deadline)
        {
            fixture.UseRules([.. DefaultRules.All, new WafRule("x" + swaps, "(?i)evil" + swaps, RuleAction.Block, "high", RuleTarget.All, [])]);
            swaps++;
            await Task.Delay(20, CancellationToken.None);
        }
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.Equal(0, failures);
        Assert.True(ok > 50, $"{ok} requests");
        Assert.True(swaps > 20, $"{swaps} rule swaps");
    }

    [Fact]
    public async Task Curl_sees_the_block_and_the_pass()
    {
        if (!File.Exists("/usr/bin/curl")) Assert.Skip("curl is not installed");
        fixture.UseRules([.. DefaultRules.All]);
        async Task<string> Curl(params string[] args)
        {
            var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true };
            foreach (var a in (string[])["-s", "-o", "/dev/null", "-w", "%{http_code}", .. args]) info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            var output = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            return output;
        }
        Assert.Equal("200", await Curl(new Uri(fixture.Proxy.Address!, "/echo?page=2").ToString()));
        Assert.Equal("403", await Curl("-A", "sqlmap/1.7.2#stable (https://sqlmap.org)", new Uri(fixture.Proxy.Address!, "/echo").ToString()));
    }

    [Fact]
    public async Task Slow_clients_are_cut_off_and_counted()
    {
        fixture.UseRules();
        var before = fixture.Engine.Counters.SlowClientsCut;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.Proxy.Address!.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /echo HTTP/1.1\r\nHost: slow\r\nX-A: "), TestContext.Current.CancellationToken);
        var sw = Stopwatch.StartNew();
        var buffer = new byte[4096];
        int read;
        do read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken); while (read > 0 && sw.Elapsed < TimeSpan.FromSeconds(15));
        Assert.InRange(sw.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (fixture.Engine.Counters.SlowClientsCut == before && DateTime.UtcNow < deadline) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.True(fixture.Engine.Counters.SlowClientsCut > before);
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}

[Collection("proxy")]
public sealed class ProxyTextBodyTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    [Fact]
    public async Task Large_inspected_text_body_passes_byte_identical()
    {
        fixture.UseRules([.. DefaultRules.All]);
        var sentence = "The quick brown fox jumps over the lazy dog while the committee reviews the quarterly report. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 4000)) + "Ünïcødé ✓";
        var bytes = Encoding.UTF8.GetBytes(text);
        using var response = await fixture.Client.PostAsync("/echo", new StringContent(text, Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }
}
