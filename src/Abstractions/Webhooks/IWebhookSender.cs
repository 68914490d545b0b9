using Edgeplane.Abstractions.Data;

namespace Edgeplane.Abstractions.Webhooks;

/// <summary>
/// Durable, signed webhook delivery, run by the host for every plugin. A plugin keeps its own
/// subscriptions (URL, events, the protected signing secret) and hands each event to
/// <see cref="EnqueueAsync"/>; the host stores it in an outbox in the same database and delivers it
/// once across every host instance (under a database lease), as an HTTP <c>POST</c> of the payload with
/// <see cref="WebhookSignature"/> headers, retrying failures with exponential backoff up to a cap.
/// Every delivery is kept in a log that <see cref="ListDeliveriesAsync"/> reads.
/// Delivery is at least once: a receiver deduplicates by the <c>X-Edgeplane-Delivery</c> header.
/// </summary>
public interface IWebhookSender
{
    /// <summary>
    /// Encrypts a signing secret with the host's key ring. Store only the result (in the plugin's
    /// subscription table) and pass it as <see cref="WebhookMessage.ProtectedSecret"/>. Show the plain
    /// secret to the caller once, when the subscription is created, and never again.
    /// </summary>
    string ProtectSecret(string secret);

    /// <summary>
    /// Queues one delivery durably (it survives a restart) and returns its id. Throws
    /// <see cref="ArgumentException"/> for an invalid message (not an absolute http(s) URL, a secret that
    /// is not from <see cref="ProtectSecret"/>, a payload that is not JSON, a reserved header).
    /// </summary>
    Task<string> EnqueueAsync(WebhookMessage message, CancellationToken cancellationToken = default);

    /// <summary>Deliveries matching <paramref name="query"/>, newest first.</summary>
    Task<Page<WebhookDelivery>> ListDeliveriesAsync(WebhookDeliveryQuery query, PageRequest page, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops the pending deliveries of one subscription (e.g. when it is deleted): they are marked
    /// <see cref="WebhookDeliveryStatus.Cancelled"/> and stay in the log. Returns how many were pending.
    /// </summary>
    Task<int> CancelPendingAsync(string pluginId, string subscriptionId, CancellationToken cancellationToken = default);
}

/// <summary>One event to deliver to one endpoint.</summary>
public sealed record WebhookMessage
{
    /// <summary>The plugin that owns the subscription (its manifest id); the log is filtered by it.</summary>
    public required string PluginId { get; init; }

    /// <summary>The team that owns the subscription, or null for a deployment-wide one.</summary>
    public string? TeamId { get; init; }

    /// <summary>The plugin's id for the subscription (endpoint registration) this delivery is for.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>The receiver: an absolute <c>http</c> or <c>https</c> URL. Redirects are not followed.</summary>
    public required Uri Url { get; init; }

    /// <summary>The signing secret as returned by <see cref="IWebhookSender.ProtectSecret"/>.</summary>
    public required string ProtectedSecret { get; init; }

    /// <summary>The event type, sent as <c>X-Edgeplane-Event</c> (e.g. <c>instance.started</c>).</summary>
    public required string EventType { get; init; }

    /// <summary>The JSON body, sent byte for byte as <c>application/json</c> and signed as it is.</summary>
    public required string Payload { get; init; }

    /// <summary>
    /// Extra, non-secret request headers (e.g. a seed's own event header). Names starting with
    /// <c>X-Edgeplane-</c> and content headers are reserved.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>Which deliveries to list. <see cref="PluginId"/> is required; the rest narrow it.</summary>
public sealed record WebhookDeliveryQuery(string PluginId, string? TeamId = null, string? SubscriptionId = null, WebhookDeliveryStatus? Status = null);

/// <summary>Where a delivery stands.</summary>
public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Every attempt failed; no more attempts.</summary>
    Failed,
    /// <summary>Stopped by <see cref="IWebhookSender.CancelPendingAsync"/> before it was delivered.</summary>
    Cancelled,
}

/// <summary>One entry of the delivery log.</summary>
/// <param name="Id">The delivery id, also sent as <c>X-Edgeplane-Delivery</c> on every attempt.</param>
/// <param name="PluginId">The owning plugin.</param>
/// <param name="TeamId">The owning team, or null.</param>
/// <param name="SubscriptionId">The plugin's subscription id, or null.</param>
/// <param name="Url">The receiver.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Status">Where the delivery stands.</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="LastStatusCode">The HTTP status of the last attempt, or null when none was received.</param>
/// <param name="LastError">Why the last attempt failed (status, timeout, connection error), or null.</param>
/// <param name="CreatedAt">When it was queued.</param>
/// <param name="LastAttemptAt">When it was last tried, or null.</param>
/// <param name="NextAttemptAt">When a pending delivery is next tried; null otherwise.</param>
/// <param name="DeliveredAt">When the receiver accepted it, or null.</param>
public sealed record WebhookDelivery(
    string Id,
    string PluginId,
    string? TeamId,
    string? SubscriptionId,
    string Url,
    string EventType,
    WebhookDeliveryStatus Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt);
