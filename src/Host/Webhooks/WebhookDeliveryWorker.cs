using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Abstractions.Webhooks;
using Edgeplane.Host.Jobs;

namespace Edgeplane.Host.Webhooks;

/// <summary>
/// Delivers the outbox once across host instances: the instance that holds the database lease
/// <see cref="LeaseName"/> sends due deliveries (up to <see cref="WebhookOptions.Parallelism"/> at a
/// time), renews the lease between batches and polls every <see cref="WebhookOptions.PollInterval"/>
/// (at once when this instance queued something). Each attempt is a <c>POST</c> of the payload with
/// <c>X-Edgeplane-Event</c>, <c>X-Edgeplane-Delivery</c>, <c>X-Edgeplane-Timestamp</c> and
/// <c>X-Edgeplane-Signature</c> (see <see cref="WebhookSignature"/>); 2xx is delivered, anything else is
/// retried with exponential backoff until <see cref="WebhookOptions.MaxAttempts"/>. A delivery in
/// flight when a host stops is sent again by the next lease holder (at least once).
/// </summary>
public sealed class WebhookDeliveryWorker(
    WebhookStore store, WebhookSecretProtector protector, ILeaseManager leases, WebhookOptions options, WebhookMetrics metrics,
    WebhookWakeup wakeup, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    public const string LeaseName = "host-webhooks";
    private const string UserAgent = "Edgeplane-Webhooks/1.0";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = options.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await lifetime.WhenServerStartedAsync()) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using (var lease = await leases.TryAcquireAsync(LeaseName, options.LeaseDuration, stoppingToken))
                {
                    if (lease is not null) await DeliverWhileHoldingAsync(lease, stoppingToken);
                }
                await wakeup.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Webhook delivery failed; trying again in {Interval}", options.PollInterval);
                try
                {
                    await Task.Delay(options.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverWhileHoldingAsync(ILease lease, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var due = await store.DueAsync(clock.GetUtcNow(), options.BatchSize, ct);
            if (due.Count > 0)
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
                    async (row, token) => await AttemptAsync(row, token));
            if (!await lease.RenewAsync(ct))
            {
                logger.LogWarning("Webhook delivery lease {Lease} was lost; another instance delivers now", LeaseName);
                return;
            }
            if (due.Count < options.BatchSize) await wakeup.WaitAsync(options.PollInterval, ct);
        }
    }

    private async Task AttemptAsync(WebhookDeliveryRow row, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        int? statusCode = null;
        string? error = null;
        var secret = protector.Unprotect(row.Secret);
        var permanent = secret is null;
        if (secret is null)
            error = "the signing secret cannot be decrypted with this host's key ring (Edgeplane:Webhooks:KeyDirectory)";
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Timeout);
            try
            {
                using var request = BuildRequest(row, secret);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                statusCode = (int)response.StatusCode;
                if (statusCode is < 200 or > 299) error = $"HTTP {statusCode}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = $"no answer within {options.TimeoutSeconds:0.###} s";
            }
            catch (HttpRequestException e)
            {
                error = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            }
        }

        var now = clock.GetUtcNow();
        var attempts = row.Attempts + 1;
        var status = error is null ? WebhookStore.Delivered
            : permanent || attempts >= options.MaxAttempts ? WebhookStore.Failed
            : WebhookStore.Pending;
        var next = status == WebhookStore.Pending ? now + options.RetryDelay(attempts) : now;
        await store.RecordAttemptAsync(row.Id, status, statusCode, error, now, next, CancellationToken.None);
        metrics.Attempted(row.PluginId, status == WebhookStore.Pending ? "retry" : status, Stopwatch.GetElapsedTime(started));
        if (error is not null)
            logger.LogInformation("Webhook {Delivery} of {Plugin} to {Url}: attempt {Attempt} failed ({Error}); {Outcome}",
                row.Id, row.PluginId, row.Url, attempts, error, status == WebhookStore.Pending ? $"next at {next:O}" : "giving up");
    }

    private HttpRequestMessage BuildRequest(WebhookDeliveryRow row, string secret)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(row.Payload));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, row.Url) { Content = content };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add(WebhookSignature.EventHeader, row.EventType);
        request.Headers.Add(WebhookSignature.DeliveryHeader, row.Id);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Header(secret, timestamp, row.Payload));
        if (row.Headers is not null)
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(row.Headers)!)
                request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
