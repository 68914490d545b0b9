using System.Diagnostics.Metrics;

namespace Edgeplane.Host.Webhooks;

/// <summary>
/// Meter <c>Edgeplane.Webhooks</c>: <c>edgeplane.webhooks.enqueued</c> (by plugin),
/// <c>edgeplane.webhooks.attempts</c> (by plugin and outcome: <c>delivered</c>, <c>retry</c>, <c>failed</c>)
/// and <c>edgeplane.webhooks.attempt.duration</c> (seconds, by plugin).
/// </summary>
public sealed class WebhookMetrics
{
    public const string MeterName = "Edgeplane.Webhooks";
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _duration;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _enqueued = meter.CreateCounter<long>("edgeplane.webhooks.enqueued", "{delivery}", "Webhook deliveries queued");
        _attempts = meter.CreateCounter<long>("edgeplane.webhooks.attempts", "{attempt}", "Webhook delivery attempts by outcome");
        _duration = meter.CreateHistogram("edgeplane.webhooks.attempt.duration", "s", "Duration of one webhook delivery attempt",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    public void Enqueued(string plugin) => _enqueued.Add(1, new KeyValuePair<string, object?>("plugin", plugin));

    public void Attempted(string plugin, string outcome, TimeSpan elapsed)
    {
        _attempts.Add(1, new("plugin", plugin), new("outcome", outcome));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("plugin", plugin));
    }
}
