using System.Diagnostics.Metrics;

namespace Edgeplane.TestPlugins.Metered;

/// <summary>One instrument of each kind, with names, units and tag values that need sanitizing and escaping.</summary>
public sealed class Instruments
{
    private int _queueDepth = 3;

    public Instruments(IMeterFactory meters)
    {
        var meter = meters.Create("Edgeplane.TestPlugins.Metered");
        Created = meter.CreateCounter<long>("metered.items.created", "{item}", "Items created.");
        CacheHits = meter.CreateCounter<int>("metered.cacheHits", description: "A camelCase name.");
        InFlight = meter.CreateUpDownCounter<int>("metered.in_flight", "{request}", "Requests in flight.");
        Load = meter.CreateGauge<double>("metered.load", "1", "Last reported load.");
        Latency = meter.CreateHistogram<double>("metered.latency", "ms", "Handling latency in milliseconds.");
        PayloadSize = meter.CreateHistogram<int>("metered.payload.size", "By", "Payload sizes.", tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [16, 256, 4096] });
        meter.CreateObservableGauge("metered.temperature", () => new Measurement<double>(21.5, new KeyValuePair<string, object?>("room", "lab \"A\"\\1\nsecond line")),
            "Cel", "Observed temperature.");
        meter.CreateObservableUpDownCounter("metered.queue.depth", () => _queueDepth, "{job}", "Jobs waiting.");
        meter.CreateObservableCounter("metered.ticks", () => 42L, description: "A cumulative count observed from elsewhere.");
    }

    public Counter<long> Created { get; }
    public Counter<int> CacheHits { get; }
    public UpDownCounter<int> InFlight { get; }
    public Gauge<double> Load { get; }
    public Histogram<double> Latency { get; }
    public Histogram<int> PayloadSize { get; }

    public void SetQueueDepth(int depth) => _queueDepth = depth;
}
