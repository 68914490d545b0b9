using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>A webhook endpoint on 127.0.0.1 that answers 500 to the first <c>failFirst</c> calls, then 204, and keeps what it received.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    public sealed record Received(string Event, string SeedEvent, string Delivery, string Signature, string Body, HttpStatusCode Answered, DateTimeOffset At);

    public ConcurrentQueue<Received> Calls { get; } = new();
    public int FailFirst { get; set; }
    public Uri Address { get; private set; } = null!;

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var n = Interlocked.Increment(ref receiver._calls);
            var status = n <= receiver.FailFirst ? HttpStatusCode.InternalServerError : HttpStatusCode.NoContent;
            receiver.Calls.Enqueue(new Received(context.Request.Headers["X-Edgeplane-Event"].ToString(), context.Request.Headers["X-SecBeat-Event"].ToString(),
                context.Request.Headers["X-Edgeplane-Delivery"].ToString(), context.Request.Headers["X-Edgeplane-Signature"].ToString(), body, status, DateTimeOffset.UtcNow));
            context.Response.StatusCode = (int)status;
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
