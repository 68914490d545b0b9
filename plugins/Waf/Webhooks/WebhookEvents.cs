using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Edgeplane.Abstractions.Webhooks;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Webhooks;

/// <summary>
/// Turns engine verdicts into <c>attack_detected</c> and <c>rule_triggered</c> events (throttled per
/// source/type and per rule) and hands one message per subscribed webhook to the host's
/// <see cref="IWebhookSender"/>, which stores it durably, signs and delivers it with retries and keeps
/// the delivery log. The request path only writes to an in-memory channel; this service does the
/// database work.
/// </summary>
public sealed class WebhookEvents(WafEngine engine, WafStore store, IWebhookSender sender, OrchestratorOutbox outbox, WafOptions options, TimeProvider clock, ILogger<WebhookEvents> logger) : BackgroundService
{
    public static readonly string[] EventNames = ["attack_detected", "node_health", "rule_triggered"];
    public const string PluginId = "waf";
    /// <summary>The seed's event name, sent beside the host's <c>X-Edgeplane-Event</c>.</summary>
    public const string EventHeader = "X-SecBeat-Event";

    private readonly Channel<(string Event, object Data)> _queue = Channel.CreateBounded<(string, object)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSent = new();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        engine.Counters.Inspection += OnInspection;
        return base.StartAsync(cancellationToken);
    }

    private void OnInspection(InspectionRequest request, Verdict verdict, TimeSpan elapsed)
    {
        var ip = request.ClientAddress?.ToString();
        if (verdict.Kind != VerdictKind.Pass && Due($"a|{ip}|{verdict.AttackType}"))
            Publish("attack_detected", new
            {
                request_id = request.RequestId,
                attack_type = verdict.AttackType,
                source_ip = ip,
                method = request.Method,
                path = request.RawPath,
                rule_id = verdict.Rule?.Id,
                reason = verdict.Reason,
                action = verdict.Kind == VerdictKind.RateLimited ? "rate_limited" : "blocked",
            });
        foreach (var match in verdict.Matches)
            if (Due("r|" + match.Rule.Id))
                Publish("rule_triggered", new
                {
                    rule_id = match.Rule.Id,
                    action = WafRule.ActionName(match.Rule.Action),
                    severity = match.Rule.Severity,
                    target = match.Part.ToString().ToLowerInvariant(),
                    source_ip = ip,
                    path = request.RawPath,
                });
    }

    private bool Due(string key)
    {
        var now = clock.GetUtcNow();
        var window = TimeSpan.FromSeconds(options.EventThrottleSeconds);
        var last = _lastSent.GetOrAdd(key, DateTimeOffset.MinValue);
        return now - last >= window && _lastSent.TryUpdate(key, now, last);
    }

    /// <summary>
    /// Queues an event for delivery (payload shape of the seed: event, timestamp, node_id, data). On a node,
    /// attack and rule events go to the orchestrator, whose subscribers receive them, in the next heartbeat.
    /// </summary>
    public void Publish(string eventName, object data)
    {
        if (!options.IsNode || eventName == "node_health")
        {
            _queue.Writer.TryWrite((eventName, data));
            return;
        }
        outbox.Add(new NodeEvent(Ids.New(), eventName, clock.GetUtcNow(), JsonSerializer.SerializeToElement(data)));
    }

    public static string Payload(string eventName, DateTimeOffset timestamp, string nodeId, object data) =>
        JsonSerializer.Serialize(new { @event = eventName, timestamp, node_id = nodeId, data });

    /// <summary>Hands one event to the host's webhook service, once per subscribed webhook.</summary>
    public async Task DeliverAsync(string eventName, string payload, CancellationToken ct = default)
    {
        foreach (var hook in (await store.ListWebhooksAsync(ct)).Where(h => h.EventList.Contains(eventName)))
            await sender.EnqueueAsync(new WebhookMessage
            {
                PluginId = PluginId,
                SubscriptionId = hook.Id,
                Url = new Uri(hook.Url),
                ProtectedSecret = hook.ProtectedSecret,
                EventType = eventName,
                Payload = payload,
                Headers = new Dictionary<string, string> { [EventHeader] = eventName },
            }, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var upgraded = await store.ProtectPlaintextSecretsAsync(sender.ProtectSecret, stoppingToken);
            if (upgraded > 0) logger.LogInformation("Encrypted the signing secret of {Count} WAF webhooks", upgraded);
            await foreach (var (name, data) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await DeliverAsync(name, Payload(name, clock.GetUtcNow(), options.NodeId, data), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("WAF webhook event {Event} could not be queued: {Error}", name, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
