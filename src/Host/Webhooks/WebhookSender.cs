using System.Text.Json;
using System.Threading.Channels;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Webhooks;

namespace Edgeplane.Host.Webhooks;

/// <summary>Wakes the local delivery worker when something is queued, so a delivery does not wait for the next poll.</summary>
public sealed class WebhookWakeup
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Signal() => _signal.Writer.TryWrite(true);

    /// <summary>Waits for a signal or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _signal.Reader.WaitToReadAsync(cts.Token);
            _signal.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}

/// <summary>The SDK's <see cref="IWebhookSender"/>: validates and stores each message in the outbox.</summary>
public sealed class WebhookSender(WebhookStore store, WebhookSecretProtector protector, WebhookMetrics metrics, WebhookWakeup wakeup, TimeProvider clock) : IWebhookSender
{
    private static readonly string[] ReservedHeaders = ["Host", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "User-Agent"];

    public string ProtectSecret(string secret) => protector.Protect(secret);

    public async Task<string> EnqueueAsync(WebhookMessage message, CancellationToken cancellationToken = default)
    {
        Validate(message);
        var now = clock.GetUtcNow();
        var row = new WebhookDeliveryRow
        {
            Id = Ids.New(now), PluginId = message.PluginId, TeamId = message.TeamId, SubscriptionId = message.SubscriptionId,
            Url = message.Url.AbsoluteUri, EventType = message.EventType, Payload = message.Payload,
            Headers = message.Headers is { Count: > 0 } h ? JsonSerializer.Serialize(h) : null, Secret = message.ProtectedSecret,
            Status = WebhookStore.Pending, Attempts = 0, NextAttemptAt = now, CreatedAt = now,
        };
        await store.InsertAsync(row, cancellationToken);
        metrics.Enqueued(message.PluginId);
        wakeup.Signal();
        return row.Id;
    }

    private void Validate(WebhookMessage m)
    {
        static void Check(bool ok, string name, string message)
        {
            if (!ok) throw new ArgumentException(message, name);
        }
        Check(m.PluginId is { Length: > 0 and <= 64 }, nameof(m.PluginId), "PluginId: 1 to 64 characters");
        Check(m.TeamId is null || m.TeamId.Length is > 0 and <= 64, nameof(m.TeamId), "TeamId: 1 to 64 characters or null");
        Check(m.SubscriptionId is null || m.SubscriptionId.Length is > 0 and <= 64, nameof(m.SubscriptionId), "SubscriptionId: 1 to 64 characters or null");
        Check(m.Url is { IsAbsoluteUri: true } u && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps), nameof(m.Url), "Url: an absolute http(s) URL");
        Check(m.EventType is { Length: > 0 and <= 200 } && !m.EventType.Any(char.IsControl), nameof(m.EventType), "EventType: 1 to 200 printable characters");
        Check(protector.Unprotect(m.ProtectedSecret ?? "") is not null, nameof(m.ProtectedSecret), "ProtectedSecret: not made by IWebhookSender.ProtectSecret on this key ring");
        try
        {
            using var _ = JsonDocument.Parse(m.Payload ?? "");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Payload: not JSON ({e.Message})", nameof(m.Payload));
        }
        foreach (var (name, value) in m.Headers ?? new Dictionary<string, string>())
        {
            Check(name.Length is > 0 and <= 100 && name.All(c => c > ' ' && c < 127 && c != ':'), nameof(m.Headers), $"Headers: '{name}' is not a header name");
            Check(!name.StartsWith("X-Edgeplane-", StringComparison.OrdinalIgnoreCase) && !ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase),
                nameof(m.Headers), $"Headers: '{name}' is reserved");
            Check(value is not null && value.Length <= 1000 && !value.Any(c => c is '\r' or '\n' or '\0'), nameof(m.Headers), $"Headers: the value of '{name}' is not a header value");
        }
    }

    public Task<Page<WebhookDelivery>> ListDeliveriesAsync(WebhookDeliveryQuery query, PageRequest page, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(query.PluginId);
        var limit = Math.Clamp(page.Take, 1, PageRequest.MaxLimit);
        return store.ListAsync(query, limit, Math.Max(0, page.Skip), cancellationToken);
    }

    public Task<int> CancelPendingAsync(string pluginId, string subscriptionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        return store.CancelPendingAsync(pluginId, subscriptionId, clock.GetUtcNow(), cancellationToken);
    }
}
