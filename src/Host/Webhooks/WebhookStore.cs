using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Webhooks;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Webhooks;

/// <summary>A row of the outbox <c>host_webhook_deliveries</c>; <see cref="Secret"/> is the protected secret (empty once the delivery is finished).</summary>
public sealed class WebhookDeliveryRow
{
    public string Id { get; set; } = "";
    public string PluginId { get; set; } = "";
    public string? TeamId { get; set; }
    public string? SubscriptionId { get; set; }
    public string Url { get; set; } = "";
    public string EventType { get; set; } = "";
    public string Payload { get; set; } = "";
    public string? Headers { get; set; }
    public string Secret { get; set; } = "";
    public string Status { get; set; } = WebhookStore.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    public WebhookDelivery ToDelivery() => new(Id, PluginId, TeamId, SubscriptionId, Url, EventType, WebhookStore.StatusOf(Status), Attempts,
        LastStatusCode, LastError, CreatedAt, LastAttemptAt, Status == WebhookStore.Pending ? NextAttemptAt : null, DeliveredAt);
}

/// <summary>The durable outbox and delivery log, in the host's database.</summary>
public sealed class WebhookStore(DbConnectionFactory db)
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    private const string Columns = "id AS Id, plugin_id AS PluginId, team_id AS TeamId, subscription_id AS SubscriptionId, url AS Url, " +
        "event_type AS EventType, payload AS Payload, headers AS Headers, secret AS Secret, status AS Status, attempts AS Attempts, " +
        "next_attempt_at AS NextAttemptAt, last_attempt_at AS LastAttemptAt, last_status_code AS LastStatusCode, last_error AS LastError, " +
        "created_at AS CreatedAt, delivered_at AS DeliveredAt";

    public static WebhookDeliveryStatus StatusOf(string status) => status switch
    {
        Pending => WebhookDeliveryStatus.Pending,
        Delivered => WebhookDeliveryStatus.Delivered,
        Failed => WebhookDeliveryStatus.Failed,
        _ => WebhookDeliveryStatus.Cancelled,
    };

    public static string NameOf(WebhookDeliveryStatus status) => status switch
    {
        WebhookDeliveryStatus.Pending => Pending,
        WebhookDeliveryStatus.Delivered => Delivered,
        WebhookDeliveryStatus.Failed => Failed,
        _ => Cancelled,
    };

    public async Task InsertAsync(WebhookDeliveryRow row, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(
            "INSERT INTO host_webhook_deliveries (id, plugin_id, team_id, subscription_id, url, event_type, payload, headers, secret, status, attempts, next_attempt_at, created_at) " +
            "VALUES (@Id, @PluginId, @TeamId, @SubscriptionId, @Url, @EventType, @Payload, @Headers, @Secret, @Status, @Attempts, @NextAttemptAt, @CreatedAt)", row);
    }

    public async Task<IReadOnlyList<WebhookDeliveryRow>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<WebhookDeliveryRow>(
            $"SELECT {Columns} FROM host_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at, id {db.Dialect.Paging()}",
            new { now, limit, offset = 0 })).ToList();
    }

    /// <summary>Records one attempt of a pending delivery; a finished delivery forgets its secret.</summary>
    public async Task RecordAttemptAsync(string id, string status, int? statusCode, string? error, DateTimeOffset attemptedAt, DateTimeOffset nextAttemptAt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(
            "UPDATE host_webhook_deliveries SET attempts = attempts + 1, status = @status, last_status_code = @statusCode, last_error = @error, " +
            "last_attempt_at = @attemptedAt, next_attempt_at = @nextAttemptAt, delivered_at = @deliveredAt, " +
            "secret = CASE WHEN @finished = 1 THEN '' ELSE secret END WHERE id = @id AND status = 'pending'",
            new
            {
                id, status, statusCode, error, attemptedAt, nextAttemptAt,
                deliveredAt = status == Delivered ? attemptedAt : (DateTimeOffset?)null,
                finished = status == Pending ? 0 : 1,
            });
    }

    public async Task<int> CancelPendingAsync(string pluginId, string subscriptionId, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(
            "UPDATE host_webhook_deliveries SET status = 'cancelled', secret = '', last_error = @error WHERE plugin_id = @pluginId AND subscription_id = @subscriptionId AND status = 'pending'",
            new { pluginId, subscriptionId, error = $"cancelled at {now:O}" });
    }

    public async Task<Page<WebhookDelivery>> ListAsync(WebhookDeliveryQuery query, int limit, int offset, CancellationToken ct)
    {
        var where = "plugin_id = @PluginId";
        if (query.TeamId is not null) where += " AND team_id = @TeamId";
        if (query.SubscriptionId is not null) where += " AND subscription_id = @SubscriptionId";
        if (query.Status is not null) where += " AND status = @Status";
        var parameters = new DynamicParameters(new { query.PluginId, query.TeamId, query.SubscriptionId, Status = query.Status is { } s ? NameOf(s) : null, limit, offset });
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM host_webhook_deliveries WHERE {where}", parameters);
        var rows = await c.QueryAsync<WebhookDeliveryRow>($"SELECT {Columns} FROM host_webhook_deliveries WHERE {where} ORDER BY id DESC {db.Dialect.Paging()}", parameters);
        return new Page<WebhookDelivery>(rows.Select(r => r.ToDelivery()).ToList(), total, limit, offset);
    }

    public async Task<string?> SecretColumnAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>("SELECT secret FROM host_webhook_deliveries WHERE id = @id", new { id });
    }
}
