using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Waf.Tests.Proxy;

/// <summary>
/// A real HTTP origin on 127.0.0.1 for the proxy to forward to. <c>/echo</c> answers with the exact
/// request body and reports what it received in X-Upstream-* headers; <c>/stream?n=</c> answers n
/// bytes with chunked encoding; <c>/page</c> is an HTML page and <c>/page/sql-error</c> one leaking a MySQL error.
/// </summary>
public sealed class Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;

    private Upstream(WebApplication app) => _app = app;

    public const string SqlError = "<p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '1' at line 1</p>";

    public Uri Address { get; private set; } = null!;
    public long Requests => Interlocked.Read(ref _requests);

    public static async Task<Upstream> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
            // header values as bytes, so that tests see exactly what was forwarded
            k.RequestHeaderEncodingSelector = _ => System.Text.Encoding.Latin1;
            k.ResponseHeaderEncodingSelector = _ => System.Text.Encoding.Latin1;
        });
        var app = builder.Build();
        var upstream = new Upstream(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref upstream._requests);
            var request = context.Request;
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            if (request.Path.StartsWithSegments("/page", out var page))
            {
                // an HTML page; /page/sql-error leaks a database error after ?pad= bytes of filler
                var pad = request.Query.ContainsKey("pad") ? int.Parse(request.Query["pad"]!) : 0;
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync($"<html><body>{new string('x', pad)}<h1>Blue teapot</h1><p>In stock: 3</p>{(page == "/sql-error" ? SqlError : "")}</body></html>");
                return;
            }
            if (request.Path.StartsWithSegments("/stream"))
            {
                var n = int.Parse(request.Query["n"]!);
                context.Response.ContentType = "application/octet-stream";
                var block = new byte[8192];
                for (var i = 0; i < block.Length; i++) block[i] = (byte)(i * 7);
                for (var sent = 0; sent < n; sent += block.Length)
                {
                    await context.Response.Body.WriteAsync(block.AsMemory(0, Math.Min(block.Length, n - sent)));
                    await context.Response.Body.FlushAsync();
                }
                return;
            }
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var bytes = body.ToArray();
            var h = context.Response.Headers;
            h["X-Upstream-Method"] = request.Method;
            h["X-Upstream-Target"] = target;
            h["X-Upstream-Host"] = request.Headers.Host.ToString();
            h["X-Upstream-XFF"] = request.Headers["X-Forwarded-For"].ToString();
            h["X-Upstream-XFP"] = request.Headers["X-Forwarded-Proto"].ToString();
            h["X-Upstream-Chunked"] = request.Headers.TransferEncoding.ToString();
            h["X-Upstream-Custom"] = request.Headers["X-Custom"].ToString();
            h["X-Upstream-Cookie"] = request.Headers.Cookie.ToString();
            h["X-Upstream-Sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            h["Set-Cookie"] = "upstream=1; Path=/";
            if (request.Query.ContainsKey("headers"))
            {
                h.Append("Set-Cookie", "second=2; Path=/");
                h["Cache-Control"] = "no-cache,max-age=0";
            }
            context.Response.StatusCode = request.Query.ContainsKey("status") ? int.Parse(request.Query["status"]!) : 200;
            context.Response.ContentType = request.ContentType ?? "application/octet-stream";
            await context.Response.Body.WriteAsync(bytes);
        });
        await app.StartAsync();
        upstream.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
