using System.Net;
using System.Net.Sockets;
using System.Text;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Proxy;

namespace Edgeplane.Plugins.Waf.Tests.Proxy;

/// <summary>What the proxy forwards when the client or the upstream does something unusual but legal.</summary>
public sealed class ForwardingEdgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<WafProxy> StartProxyAsync(Uri upstream)
    {
        var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
        var matcher = new RuleMatcher(DefaultRules.All);
        matcher.Compile();
        engine.Apply(EngineSnapshot.Empty with { Rules = matcher });
        var proxy = new WafProxy(engine, new WafProxyOptions { Listen = "http://127.0.0.1:0", Upstream = upstream.ToString() });
        await proxy.StartAsync(Ct);
        return proxy;
    }

    [Fact]
    public async Task An_upstream_that_answers_early_and_closes_gets_its_status_forwarded()
    {
        // a real origin that refuses a large upload after reading only its headers, then closes the connection
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var origin = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync(Ct);
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await socket.ReceiveAsync(buffer, Ct) == 1)
                    head.Append((char)buffer[0]);
                var body = "{\"error\":\"too large\"}"u8.ToArray();
                await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), Ct);
                await socket.SendAsync(body, Ct);
                socket.Close(0); // reset: the proxy's write of the rest of the body fails
            }
        }, Ct);
        await using var proxy = await StartProxyAsync(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"));
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var upload = new byte[8 * 1024 * 1024];
        Random.Shared.NextBytes(upload);
        foreach (var chunked in new[] { false, true })
        {
            HttpContent content = chunked ? new StreamContent(new MemoryStreamWithoutLength(upload)) : new ByteArrayContent(upload);
            content.Headers.ContentType = new("application/octet-stream");
            using var response = await client.PostAsync("/upload", content, Ct);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("{\"error\":\"too large\"}", await response.Content.ReadAsStringAsync(Ct));
        }
    }

    [Fact]
    public async Task Header_values_with_non_ascii_bytes_are_forwarded_byte_for_byte()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var proxy = await StartProxyAsync(upstream.Address);
        // UTF-8 in a cookie, and a Latin-1 byte that is not UTF-8 at all, as raw bytes on the wire
        var cookie = Encoding.UTF8.GetBytes("name=Zoë; city=Zürich; 名前=値");
        var custom = new byte[] { (byte)'a', 0xE9, (byte)'b' };
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, proxy.Address!.Port, Ct);
        var stream = tcp.GetStream();
        var request = new MemoryStream();
        request.Write("GET /echo HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\nCookie: "u8);
        request.Write(cookie);
        request.Write("\r\nX-Custom: "u8);
        request.Write(custom);
        request.Write("\r\n\r\n"u8);
        await stream.WriteAsync(request.ToArray(), Ct);
        var answer = new MemoryStream();
        await stream.CopyToAsync(answer, Ct);
        var head = Encoding.Latin1.GetString(answer.ToArray());
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Contains("X-Upstream-Cookie: " + Encoding.Latin1.GetString(cookie) + "\r\n", head);
        Assert.Contains("X-Upstream-Custom: " + Encoding.Latin1.GetString(custom) + "\r\n", head);
    }

    [Fact]
    public async Task An_attack_in_a_utf8_cookie_is_still_seen()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var proxy = await StartProxyAsync(upstream.Address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, proxy.Address!.Port, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /echo HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\nCookie: name=Zoë<script>alert(1)</script>\r\n\r\n"u8.ToArray(), Ct);
        var answer = new MemoryStream();
        await stream.CopyToAsync(answer, Ct);
        Assert.StartsWith("HTTP/1.1 403", Encoding.Latin1.GetString(answer.ToArray()));
    }

    [Fact]
    public async Task H2c_with_prior_knowledge_is_served_beside_http1()
    {
        if (!File.Exists("/usr/bin/curl")) Assert.Skip("curl is not installed");
        await using var upstream = await Upstream.StartAsync();
        await using var proxy = await StartProxyAsync(upstream.Address);
        var page = new Uri(proxy.Address!, "/echo?page=2").ToString();
        var attack = new Uri(proxy.Address!, "/?q=%3Cscript%3Ealert(1)%3C/script%3E").ToString();
        Assert.Equal("2 200", await CurlAsync("--http2-prior-knowledge", page));
        Assert.Equal("2 403", await CurlAsync("--http2-prior-knowledge", attack));
        Assert.Equal("1.1 200", await CurlAsync("--http1.1", page));
        Assert.Equal("1.1 403", await CurlAsync("--http1.1", attack));

        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.PostAsync(page, new StringContent("over h2c"), Ct);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("over h2c", await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<string> CurlAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("curl") { RedirectStandardOutput = true };
        foreach (var a in (string[])["-s", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "--max-time", "20", .. args]) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return output;
    }

    private sealed class MemoryStreamWithoutLength(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
