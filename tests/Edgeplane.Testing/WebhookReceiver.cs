using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Testing;

/// <summary>A webhook receiver on 127.0.0.1: answers <see cref="Answer"/> for each call and keeps what it received.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    public sealed record Call(int Number, IReadOnlyDictionary<string, string> Headers, string Body, int Answered, DateTimeOffset At)
    {
        /// <summary>The header's value, or empty when the call did not carry it.</summary>
        public string Header(string name) => Headers.GetValueOrDefault(name, "");
    }

    public ConcurrentQueue<Call> Calls { get; } = new();
    /// <summary>Given the call number (1-based), the status to answer.</summary>
    public Func<int, int> Answer { get; set; } = _ => 204;
    /// <summary>Where it listens: <c>http://127.0.0.1:{port}/hook</c> (it answers on every path).</summary>
    public Uri Url { get; private set; } = null!;

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
            var n = Interlocked.Increment(ref receiver._count);
            var status = receiver.Answer(n);
            receiver.Calls.Enqueue(new Call(n, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, status, DateTimeOffset.UtcNow));
            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
