using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Net;
using System.Net.Sockets;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Abstractions.Security;
using Edgeplane.Abstractions.Webhooks;
using Edgeplane.Host.Data;
using Edgeplane.Host.Jobs;
using Edgeplane.Host.Tests.Data;
using Edgeplane.Host.Webhooks;
using Edgeplane.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edgeplane.Host.Tests.Webhooks;

/// <summary>
/// The host's webhook service as the host composes it (the same registration), over a real database,
/// delivering to a real receiver on 127.0.0.1. A "host" here is a started generic host with the
/// webhook services; stopping it and starting another over the same database and key ring is a restart.
/// </summary>
public sealed class WebhookDeliveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DatabaseOptions> DatabaseAsync(string provider)
    {
        var environment = await TestDatabases.CreateAsync(provider, _dir.Path);
        var options = new DatabaseOptions(provider, environment["Edgeplane__Database__ConnectionString"]!);
        var db = new DbConnectionFactory(options);
        await db.PrepareAsync(Ct);
        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance)
            .ApplyAsync("host", Migration.From(typeof(MigrationRunner).Assembly), Ct);
        return options;
    }

    private async Task<IHost> StartAsync(DatabaseOptions database, Dictionary<string, string?>? settings = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Edgeplane:Webhooks:FirstRetrySeconds"] = "0.3",
            ["Edgeplane:Webhooks:MaxRetrySeconds"] = "1",
            ["Edgeplane:Webhooks:PollIntervalSeconds"] = "0.2",
            ["Edgeplane:Webhooks:TimeoutSeconds"] = "3",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new DbConnectionFactory(database));
        builder.Services.AddSingleton<ILeaseManager, LeaseManager>();
        builder.Services.AddEdgeplaneWebhooks(builder.Configuration, _dir.Path);
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }

    private static async Task<WebhookDelivery> WaitForAsync(IWebhookSender sender, string id, Func<WebhookDelivery, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var page = await sender.ListDeliveriesAsync(new WebhookDeliveryQuery("test"), new PageRequest(500), Ct);
            var delivery = page.Items.Single(d => d.Id == id);
            if (done(delivery)) return delivery;
            if (DateTime.UtcNow > deadline) Assert.Fail($"delivery {id} is still {delivery.Status} after {delivery.Attempts} attempts ({delivery.LastError})");
            await Task.Delay(100, Ct);
        }
    }

    private static WebhookMessage Message(IWebhookSender sender, Uri url, string secret, string payload = """{"hello":"world","n":1}""") => new()
    {
        PluginId = "test",
        TeamId = "team-1",
        SubscriptionId = "sub-1",
        Url = url,
        ProtectedSecret = sender.ProtectSecret(secret),
        EventType = "thing.happened",
        Payload = payload,
        Headers = new Dictionary<string, string> { ["X-Seed-Event"] = "thing_happened" },
    };

    [Theory]
    [ClassData(typeof(ProviderData))]
    public async Task A_delivery_is_signed_over_timestamp_and_body_and_logged(string provider)
    {
        ProviderData.SkipIfUnavailable(provider);
        await using var receiver = await WebhookReceiver.StartAsync();
        var database = await DatabaseAsync(provider);
        using var host = await StartAsync(database);
        var sender = host.Services.GetRequiredService<IWebhookSender>();
        var secret = Secrets.Generate("whsec_");
        var payload = """{"event":"thing.happened","data":{"text":"héllo ✓"}}""";

        var id = await sender.EnqueueAsync(Message(sender, receiver.Url, secret, payload), Ct);
        // The secret is encrypted in the outbox: neither the plain secret nor a recognisable part of it.
        var stored = await host.Services.GetRequiredService<WebhookStore>().SecretColumnAsync(id, Ct);
        Assert.DoesNotContain(secret[6..], stored ?? "");

        var delivery = await WaitForAsync(sender, id, d => d.Status == WebhookDeliveryStatus.Delivered);
        var call = Assert.Single(receiver.Calls);
        Assert.Equal(payload, call.Body);
        Assert.Equal("application/json; charset=utf-8", call.Headers["Content-Type"]);
        Assert.Equal("thing.happened", call.Headers[WebhookSignature.EventHeader]);
        Assert.Equal(id, call.Headers[WebhookSignature.DeliveryHeader]);
        Assert.Equal("thing_happened", call.Headers["X-Seed-Event"]);
        var timestamp = long.Parse(call.Headers[WebhookSignature.TimestampHeader]);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        // Computed independently of the library: HMAC-SHA256(secret, "<t>.<body>").
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes($"{timestamp}.{payload}")));
        Assert.Equal($"t={timestamp},v1={expected}", call.Headers[WebhookSignature.SignatureHeader]);
        Assert.True(WebhookSignature.Verify(secret, call.Headers[WebhookSignature.SignatureHeader], call.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret + "x", call.Headers[WebhookSignature.SignatureHeader], call.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, call.Headers[WebhookSignature.SignatureHeader], call.Body + " ", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(204, delivery.LastStatusCode);
        Assert.Null(delivery.LastError);
        Assert.NotNull(delivery.DeliveredAt);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Equal(("test", "team-1", "sub-1", "thing.happened"), (delivery.PluginId, delivery.TeamId, delivery.SubscriptionId, delivery.EventType));
        Assert.Equal("", await host.Services.GetRequiredService<WebhookStore>().SecretColumnAsync(id, Ct)); // forgotten once finished

        // The log is filtered by owner.
        Assert.Single((await sender.ListDeliveriesAsync(new WebhookDeliveryQuery("test", "team-1", "sub-1", WebhookDeliveryStatus.Delivered), new PageRequest(), Ct)).Items);
        Assert.Empty((await sender.ListDeliveriesAsync(new WebhookDeliveryQuery("test", "team-2"), new PageRequest(), Ct)).Items);
        Assert.Empty((await sender.ListDeliveriesAsync(new WebhookDeliveryQuery("other"), new PageRequest(), Ct)).Items);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_with_backoff_and_the_log_keeps_the_status_code()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n <= 2 ? 500 : 200;
        using var host = await StartAsync(await DatabaseAsync("sqlite"));
        var sender = host.Services.GetRequiredService<IWebhookSender>();
        var secret = Secrets.Generate("whsec_");

        var id = await sender.EnqueueAsync(Message(sender, receiver.Url, secret), Ct);
        var failedOnce = await WaitForAsync(sender, id, d => d.Attempts >= 1);
        var delivery = await WaitForAsync(sender, id, d => d.Status == WebhookDeliveryStatus.Delivered);

        Assert.Equal(WebhookDeliveryStatus.Pending, failedOnce.Status);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(200, delivery.LastStatusCode);
        var calls = receiver.Calls.ToArray();
        Assert.Equal([500, 500, 200], calls.Select(c => c.Answered));
        Assert.All(calls, c => Assert.Equal(id, c.Headers[WebhookSignature.DeliveryHeader]));
        Assert.All(calls, c => Assert.True(WebhookSignature.Verify(secret, c.Headers[WebhookSignature.SignatureHeader], c.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Delivery_gives_up_after_the_cap_and_records_why()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 503;
        using var host = await StartAsync(await DatabaseAsync("sqlite"), new() { ["Edgeplane:Webhooks:MaxAttempts"] = "3" });
        var sender = host.Services.GetRequiredService<IWebhookSender>();
        var started = DateTime.UtcNow;

        var id = await sender.EnqueueAsync(Message(sender, receiver.Url, Secrets.Generate("whsec_")), Ct);
        var delivery = await WaitForAsync(sender, id, d => d.Status == WebhookDeliveryStatus.Failed);
        await Task.Delay(1500, Ct); // longer than the largest retry delay: nothing more is sent

        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(503, delivery.LastStatusCode);
        Assert.Equal("HTTP 503", delivery.LastError);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Equal(3, receiver.Calls.Count);
        // Backoff 0.3 s then 0.6 s between the attempts.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9));

        // A receiver that is not listening at all: the connection error is logged.
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/hook");
        var refused = await sender.EnqueueAsync(Message(sender, closed, Secrets.Generate("whsec_")), Ct);
        var failed = await WaitForAsync(sender, refused, d => d.Status == WebhookDeliveryStatus.Failed);
        Assert.Null(failed.LastStatusCode);
        Assert.Contains("refused", failed.LastError, StringComparison.OrdinalIgnoreCase);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task A_queued_delivery_survives_a_host_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n == 1 ? 500 : 204;
        var database = await DatabaseAsync("sqlite");
        var secret = Secrets.Generate("whsec_");
        string id;
        using (var first = await StartAsync(database, new() { ["Edgeplane:Webhooks:FirstRetrySeconds"] = "2", ["Edgeplane:Webhooks:MaxRetrySeconds"] = "5" }))
        {
            var sender = first.Services.GetRequiredService<IWebhookSender>();
            id = await sender.EnqueueAsync(Message(sender, receiver.Url, secret), Ct);
            await WaitForAsync(sender, id, d => d.Attempts == 1);
            await first.StopAsync(Ct); // stopped before its retry is due, with the delivery still queued
        }
        Assert.Single(receiver.Calls);

        using var second = await StartAsync(database);
        var again = second.Services.GetRequiredService<IWebhookSender>();
        var delivery = await WaitForAsync(again, id, d => d.Status == WebhookDeliveryStatus.Delivered);
        Assert.Equal(2, delivery.Attempts);
        var call = receiver.Calls.Last();
        Assert.Equal(id, call.Headers[WebhookSignature.DeliveryHeader]);
        // The restarted host decrypts the secret with the key ring in the data directory.
        Assert.True(WebhookSignature.Verify(secret, call.Headers[WebhookSignature.SignatureHeader], call.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        await second.StopAsync(Ct);
    }

    [Fact]
    public async Task Two_host_instances_on_one_database_deliver_each_message_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var database = await DatabaseAsync("sqlite");
        using var one = await StartAsync(database);
        using var two = await StartAsync(database);
        var senders = new[] { one.Services.GetRequiredService<IWebhookSender>(), two.Services.GetRequiredService<IWebhookSender>() };

        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var sender = senders[i % 2];
            ids.Add(await sender.EnqueueAsync(Message(sender, receiver.Url, Secrets.Generate("whsec_"), $$"""{"n":{{i}}}"""), Ct));
        }
        foreach (var id in ids) await WaitForAsync(senders[0], id, d => d.Status == WebhookDeliveryStatus.Delivered);

        var delivered = receiver.Calls.Select(c => c.Headers[WebhookSignature.DeliveryHeader]).ToList();
        Assert.Equal(ids.Order(), delivered.Order());
        await one.StopAsync(Ct);
        await two.StopAsync(Ct);
    }

    [Fact]
    public async Task Bad_messages_are_refused_and_pending_deliveries_can_be_cancelled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 500;
        using var host = await StartAsync(await DatabaseAsync("sqlite"), new() { ["Edgeplane:Webhooks:FirstRetrySeconds"] = "30", ["Edgeplane:Webhooks:MaxRetrySeconds"] = "60" });
        var sender = host.Services.GetRequiredService<IWebhookSender>();
        var good = Message(sender, receiver.Url, Secrets.Generate("whsec_"));

        await Assert.ThrowsAsync<ArgumentException>(() => sender.EnqueueAsync(good with { ProtectedSecret = "whsec_plain" }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => sender.EnqueueAsync(good with { Url = new Uri("ftp://127.0.0.1/x") }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => sender.EnqueueAsync(good with { Payload = "{not json" }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => sender.EnqueueAsync(good with { Headers = new Dictionary<string, string> { ["X-Edgeplane-Signature"] = "forged" } }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => sender.EnqueueAsync(good with { Headers = new Dictionary<string, string> { ["X-Ok"] = "a\r\nInjected: 1" } }, Ct));
        Assert.Empty((await sender.ListDeliveriesAsync(new WebhookDeliveryQuery("test"), new PageRequest(), Ct)).Items);

        var id = await sender.EnqueueAsync(good, Ct);
        await WaitForAsync(sender, id, d => d.Attempts == 1);
        Assert.Equal(1, await sender.CancelPendingAsync("test", "sub-1", Ct));
        var cancelled = (await sender.ListDeliveriesAsync(new WebhookDeliveryQuery("test", Status: WebhookDeliveryStatus.Cancelled), new PageRequest(), Ct)).Items.Single();
        Assert.Equal(id, cancelled.Id);
        Assert.Equal(500, cancelled.LastStatusCode);
        Assert.Equal(0, await sender.CancelPendingAsync("test", "sub-1", Ct));
        await host.StopAsync(Ct);
    }

    public void Dispose() => _dir.Dispose();
}
