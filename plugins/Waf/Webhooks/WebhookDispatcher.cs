using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Plugins.Waf.Data;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Webhooks;

/// <summary>
/// Delivers queued webhook events once across host instances (under the <c>waf-webhooks</c> lease):
/// POST with <c>X-SecBeat-Signature: sha256=HEX(HMAC-SHA256(secret, body))</c>, retried with
/// exponential backoff (2, 4, 8 … 300 s) up to <see cref="MaxAttempts"/>, each attempt logged.
/// </summary>
public sealed class WebhookDispatcher(WafStore store, ILeaseManager leases, TimeProvider time, ILogger<WebhookDispatcher> logger)
    : LeasedJob(leases, time, logger)
{
    private readonly TimeProvider clock = time;
    public const int MaxAttempts = 8;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

    protected override string Name => "waf-webhooks";
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var (delivery, hook) in await store.DueDeliveriesAsync(50, cancellationToken))
        {
            int? status = null;
            string? error = null;
            try
            {
                using var content = new StringContent(delivery.Payload, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = content };
                request.Headers.Add("X-SecBeat-Event", delivery.Event);
                request.Headers.Add("X-SecBeat-Delivery", delivery.Id);
                request.Headers.Add("X-SecBeat-Signature", Sign(hook.Secret, delivery.Payload));
                using var response = await _http.SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode) error = $"HTTP {status}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                error = e.Message;
            }
            var attempts = delivery.Attempts + 1;
            var delivered = error is null;
            var giveUp = !delivered && attempts >= MaxAttempts;
            var next = clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempts)));
            await store.RecordAttemptAsync(delivery.Id, delivered, giveUp, status, error, next, cancellationToken);
            if (!delivered) logger.LogInformation("Webhook {Delivery} to {Url} failed (attempt {Attempt}): {Error}", delivery.Id, hook.Url, attempts, error);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
