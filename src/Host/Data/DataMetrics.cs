using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Edgeplane.Host.Data;

/// <summary>
/// The database command duration histogram (meter <c>Edgeplane.Data</c>, instrument
/// <c>edgeplane.db.command.duration</c>, seconds; exported as
/// <c>edgeplane_db_command_duration_seconds_bucket/_sum/_count</c>). A singleton registered with the
/// platform's data services; the data layer records one measurement per command:
/// <code>
/// var started = Stopwatch.GetTimestamp();
/// try { /* execute */ }
/// catch { metrics.Record(started, "postgresql", "query", pluginId, failed: true); throw; }
/// metrics.Record(started, "postgresql", "query", pluginId);
/// </code>
/// or <c>using (metrics.Time("sqlite", "migrate", pluginId)) { ... }</c> when failures need not be told apart.
/// </summary>
public sealed class DataMetrics
{
    public const string MeterName = "Edgeplane.Data";
    public const string InstrumentName = "edgeplane.db.command.duration";

    /// <summary>From 100 µs to 10 s: embedded SQLite answers in microseconds, a remote server in milliseconds.</summary>
    private static readonly double[] Bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _duration;

    public DataMetrics(IMeterFactory meters)
    {
        _duration = meters.Create(MeterName).CreateHistogram(InstrumentName, unit: "s",
            description: "Duration of database commands, by provider, operation, plugin and outcome.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Bounds });
    }

    /// <summary>
    /// Records one command. <paramref name="provider"/>: <c>sqlite</c>, <c>postgresql</c> or <c>sqlserver</c>;
    /// <paramref name="operation"/>: a small fixed set such as <c>query</c>, <c>execute</c>, <c>migrate</c>
    /// (never SQL text: each distinct value is a time series); <paramref name="plugin"/>: the plugin id, or null for the host.
    /// </summary>
    public void Record(TimeSpan duration, string provider, string operation, string? plugin = null, bool failed = false)
    {
        if (!_duration.Enabled) return;
        _duration.Record(duration.TotalSeconds,
            new("db.system", provider), new("db.operation", operation),
            new("plugin", plugin ?? "host"), new("outcome", failed ? "error" : "ok"));
    }

    /// <summary>Records a command that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Record(long startTimestamp, string provider, string operation, string? plugin = null, bool failed = false) =>
        Record(Stopwatch.GetElapsedTime(startTimestamp), provider, operation, plugin, failed);

    /// <summary>Times a block: the measurement is recorded (as <c>ok</c>) when the returned value is disposed.</summary>
    public Timer Time(string provider, string operation, string? plugin = null) =>
        new(this, Stopwatch.GetTimestamp(), provider, operation, plugin);

    public readonly struct Timer(DataMetrics metrics, long start, string provider, string operation, string? plugin) : IDisposable
    {
        public void Dispose() => metrics.Record(start, provider, operation, plugin);
    }
}
