using System.Diagnostics.Metrics;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// The engine's instruments on <c>System.Diagnostics.Metrics</c> (meter <c>Edgeplane.Waf</c>), for the
/// host's exporter; the plugin's own <c>/metrics</c> route also writes them in the seed's names.
/// </summary>
public sealed class WafMetrics
{
    public const string MeterName = "Edgeplane.Waf";

    private readonly Histogram<double> _inspection;
    private readonly Histogram<double> _latency;
    private readonly UpDownCounter<long> _connections;
    private long _activeConnections;

    /// <summary>Upper bounds (seconds) of the latency histogram buckets the plugin's /metrics writes.</summary>
    public static readonly double[] Buckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private readonly long[] _inspectionBuckets = new long[Buckets.Length + 1];
    private readonly long[] _latencyBuckets = new long[Buckets.Length + 1];
    private double _inspectionSum;
    private double _latencySum;
    private readonly Lock _lock = new();

    public WafMetrics(IMeterFactory meterFactory, WafCounters counters)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("secbeat_packets_processed", () => counters.Inspected, description: "Total requests inspected");
        meter.CreateObservableCounter("secbeat_attacks_blocked", () => counters.Blocked + counters.RateLimited, description: "Total requests blocked or rate limited");
        meter.CreateObservableCounter("secbeat_slow_clients_cut", () => counters.SlowClientsCut, description: "Slow clients cut off by listener timeouts");
        _inspection = meter.CreateHistogram<double>("secbeat_inspection_seconds", "s", "Time spent inspecting one request");
        _latency = meter.CreateHistogram<double>("secbeat_latency_seconds", "s", "Request latency through the proxy");
        _connections = meter.CreateUpDownCounter<long>("secbeat_connections_active", description: "Current proxy connections");
        counters.Inspection += (_, _, elapsed) => Observe(_inspection, _inspectionBuckets, ref _inspectionSum, elapsed.TotalSeconds);
    }

    public long ActiveConnections => Interlocked.Read(ref _activeConnections);
    public long TotalConnections { get; private set; }

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _activeConnections);
        lock (_lock) TotalConnections++;
        _connections.Add(1);
    }

    public void ConnectionClosed()
    {
        Interlocked.Decrement(ref _activeConnections);
        _connections.Add(-1);
    }

    public void RecordRequest(TimeSpan elapsed) => Observe(_latency, _latencyBuckets, ref _latencySum, elapsed.TotalSeconds);

    private void Observe(Histogram<double> histogram, long[] buckets, ref double sum, double seconds)
    {
        histogram.Record(seconds);
        var i = 0;
        while (i < Buckets.Length && seconds > Buckets[i]) i++;
        lock (_lock)
        {
            buckets[i]++;
            sum += seconds;
        }
    }

    public (long[] Buckets, double Sum) InspectionHistogram()
    {
        lock (_lock) return ((long[])_inspectionBuckets.Clone(), _inspectionSum);
    }

    public (long[] Buckets, double Sum) LatencyHistogram()
    {
        lock (_lock) return ((long[])_latencyBuckets.Clone(), _latencySum);
    }
}
