using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Edgeplane.Host.Observability;

/// <summary>
/// Listens to every <see cref="System.Diagnostics.Metrics"/> instrument in the process (the host's,
/// ASP.NET Core's, the runtime's and every plugin's meter) and aggregates it for the Prometheus
/// text exposition format: counters (sums of deltas, or the observed cumulative value), gauges
/// (up-down counters, gauges, observable gauges) and histograms with cumulative buckets.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>A family stops growing new label sets here, so a tag with unbounded values cannot exhaust memory.</summary>
    public const int MaxSeriesPerFamily = 5000;

    /// <summary>OpenTelemetry's default boundaries (for milliseconds and anything without better advice).</summary>
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    /// <summary>The same spread for instruments measured in seconds.</summary>
    private static readonly double[] SecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _labelNames = new(StringComparer.Ordinal);
    private readonly Lock _scrapeLock = new();
    private readonly ILogger<MetricsCollector> _logger;
    private readonly HashSet<string> _excludedMeters;

    /// <summary>
    /// Meters left out unless configured otherwise (<c>Edgeplane:Metrics:ExcludedMeters</c>, names separated by
    /// <c>;</c>, empty for none): Kestrel's memory pool records about six measurements per request (every
    /// buffer rented and returned), more than every other instrument together, for an allocator detail.
    /// </summary>
    public const string DefaultExcludedMeters = "Microsoft.AspNetCore.MemoryPool";

    public MetricsCollector(ILogger<MetricsCollector> logger, IConfiguration configuration)
    {
        _logger = logger;
        _excludedMeters = (configuration["Edgeplane:Metrics:ExcludedMeters"] ?? DefaultExcludedMeters)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<byte>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<short>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<int>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<long>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<float>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<double>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, v, tags, state) => Record(state, (double)v, tags));
        _listener.Start();
    }

    private void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is InstrumentBinding binding) binding.Record(value, tags, this);
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (_excludedMeters.Contains(instrument.Meter.Name)) return;
        var (kind, aggregation) = Classify(instrument);
        if (kind is null) return;
        var unit = PrometheusNames.Unit(instrument.Unit);
        var name = PrometheusNames.MetricName(instrument.Name, unit.Suffix, kind == MetricKind.Counter);
        var help = string.IsNullOrWhiteSpace(instrument.Description)
            ? $"{instrument.Name} (meter {instrument.Meter.Name})"
            : instrument.Description!;
        if (unit.Scale != 1) help += $" (measured in {instrument.Unit}, exported in {unit.Suffix})";
        var bounds = kind == MetricKind.Histogram ? Bounds(instrument, unit.Scale) : null;
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, help, kind.Value, instrument.IsObservable, bounds));
        if (family.Kind != kind || family.Observable != instrument.IsObservable)
        {
            _logger.LogWarning("Metric {Name}: instrument {Instrument} of meter {Meter} is a {Kind} but the name is already a {Existing}; not exported",
                name, instrument.Name, instrument.Meter.Name, kind, family.Kind);
            return;
        }
        listener.EnableMeasurementEvents(instrument, new InstrumentBinding(family, aggregation, unit.Scale));
    }

    private static (MetricKind?, Aggregation) Classify(Instrument instrument)
    {
        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        if (definition == typeof(Counter<>)) return (MetricKind.Counter, Aggregation.Add);
        if (definition == typeof(UpDownCounter<>)) return (MetricKind.Gauge, Aggregation.Add);
        if (definition == typeof(Gauge<>)) return (MetricKind.Gauge, Aggregation.Set);
        if (definition == typeof(Histogram<>)) return (MetricKind.Histogram, Aggregation.Observe);
        if (definition == typeof(ObservableCounter<>)) return (MetricKind.Counter, Aggregation.Set);
        if (definition == typeof(ObservableUpDownCounter<>)) return (MetricKind.Gauge, Aggregation.Set);
        if (definition == typeof(ObservableGauge<>)) return (MetricKind.Gauge, Aggregation.Set);
        return (null, Aggregation.Set);
    }

    private static double[] Bounds(Instrument instrument, double scale)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries,
            Instrument<float> f => f.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
            Instrument<short> s => s.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
            Instrument<byte> b => b.Advice?.HistogramBucketBoundaries?.Select(x => (double)x).ToList(),
            Instrument<decimal> m => m.Advice?.HistogramBucketBoundaries?.Select(x => (double)x).ToList(),
            _ => null,
        };
        var raw = advised is { Count: > 0 } ? advised : instrument.Unit == "s" ? SecondsBounds : DefaultBounds;
        return raw.Select(b => b * scale).Where(b => !double.IsNaN(b) && !double.IsInfinity(b)).Distinct().Order().ToArray();
    }

    /// <summary>Renders the tags of one measurement as a Prometheus label list, sorted by label name.</summary>
    private string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        Span<int> order = tags.Length <= 32 ? stackalloc int[tags.Length] : new int[tags.Length];
        var names = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            order[i] = i;
            names[i] = _labelNames.GetOrAdd(tags[i].Key, PrometheusNames.LabelName);
        }
        // insertion sort: tag lists are short and usually already in order
        for (var i = 1; i < order.Length; i++)
        {
            var current = order[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(names[order[j]], names[current]) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = current;
        }
        var sb = new StringBuilder(64);
        string? previous = null;
        foreach (var index in order)
        {
            var name = names[index];
            if (name == previous) continue; // two tags that sanitize to one label: keep the first
            previous = name;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(name).Append("=\"").Append(PrometheusNames.EscapeLabelValue(Format(tags[index].Value))).Append('"');
        }
        return sb.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Observes the observable instruments and writes every family in the text exposition format (version 0.0.4).</summary>
    public void WriteTo(TextWriter writer)
    {
        lock (_scrapeLock)
        {
            foreach (var family in _families.Values.Where(f => f.Observable)) family.Series.Clear();
            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                foreach (var inner in e.InnerExceptions)
                    _logger.LogWarning(inner, "An observable instrument's callback failed during a scrape");
            }
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
                family.WriteTo(writer);
        }
    }

    /// <summary>The exposition as a string (tests, diagnostics).</summary>
    public string Scrape()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        WriteTo(writer);
        return writer.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private enum Aggregation { Add, Set, Observe }

    public enum MetricKind { Counter, Gauge, Histogram }

    private sealed class InstrumentBinding(MetricFamily family, Aggregation aggregation, double scale)
    {
        // Series by the measurement's raw tags, so that a repeated tag set costs a hash, not a rendered label string.
        private readonly ConcurrentDictionary<int, (KeyValuePair<string, object?>[] Tags, Series Series)> _byTags = new();

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, MetricsCollector collector)
        {
            if (double.IsNaN(value)) return;
            value *= scale;
            var series = SeriesFor(tags, collector);
            if (series is null) return;
            switch (aggregation)
            {
                case Aggregation.Add:
                    if (family.Kind == MetricKind.Counter && value < 0) return; // a counter only goes up
                    series.Add(value);
                    break;
                case Aggregation.Set:
                    series.Set(value);
                    break;
                default:
                    series.Observe(value, family.Bounds!);
                    break;
            }
        }

        private Series? SeriesFor(ReadOnlySpan<KeyValuePair<string, object?>> tags, MetricsCollector collector)
        {
            // observable instruments are read only at a scrape, which starts their families afresh
            if (family.Observable) return family.GetSeries(collector.Labels(tags), collector._logger);
            // Tag names are string literals, one instance each: hashed by reference (no string hash per measurement).
            // A name built anew each time only misses this cache and is found by its labels below.
            var hash = new HashCode();
            foreach (var tag in tags)
            {
                hash.Add(RuntimeHelpers.GetHashCode(tag.Key));
                hash.Add(tag.Value);
            }
            var key = hash.ToHashCode();
            if (_byTags.TryGetValue(key, out var cached) && Same(cached.Tags, tags)) return cached.Series;
            var series = family.GetSeries(collector.Labels(tags), collector._logger);
            if (series is not null && _byTags.Count < MaxSeriesPerFamily) _byTags[key] = (tags.ToArray(), series);
            return series;
        }

        private static bool Same(KeyValuePair<string, object?>[] cached, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (cached.Length != tags.Length) return false;
            for (var i = 0; i < tags.Length; i++)
                if (!string.Equals(cached[i].Key, tags[i].Key, StringComparison.Ordinal) || !Equals(cached[i].Value, tags[i].Value)) return false;
            return true;
        }
    }

    private sealed class MetricFamily(string name, string help, MetricKind kind, bool observable, double[]? bounds)
    {
        private int _overflowLogged;

        public string Name { get; } = name;
        public MetricKind Kind { get; } = kind;
        public bool Observable { get; } = observable;
        public double[]? Bounds { get; } = bounds;
        public ConcurrentDictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);

        public Series? GetSeries(string labels, ILogger logger)
        {
            if (Series.TryGetValue(labels, out var existing)) return existing;
            if (Series.Count >= MaxSeriesPerFamily)
            {
                if (Interlocked.Exchange(ref _overflowLogged, 1) == 0)
                    logger.LogWarning("Metric {Name} reached {Max} label sets; further label sets are dropped", Name, MaxSeriesPerFamily);
                return null;
            }
            return Series.GetOrAdd(labels, _ => new Series(Bounds?.Length ?? -1));
        }

        public void WriteTo(TextWriter w)
        {
            if (Series.IsEmpty) return;
            w.Write("# HELP ");
            w.Write(Name);
            w.Write(' ');
            w.Write(PrometheusNames.EscapeHelp(help));
            w.Write('\n');
            w.Write("# TYPE ");
            w.Write(Name);
            w.Write(Kind switch { MetricKind.Counter => " counter\n", MetricKind.Gauge => " gauge\n", _ => " histogram\n" });
            foreach (var (labels, series) in Series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (Kind == MetricKind.Histogram) WriteHistogram(w, labels, series);
                else Sample(w, Name, labels, null, series.Value);
            }
        }

        private void WriteHistogram(TextWriter w, string labels, Series series)
        {
            var (buckets, sum, count) = series.Snapshot();
            long cumulative = 0;
            for (var i = 0; i < Bounds!.Length; i++)
            {
                cumulative += buckets[i];
                Sample(w, Name + "_bucket", labels, PrometheusNames.FormatValue(Bounds[i]), cumulative);
            }
            Sample(w, Name + "_bucket", labels, "+Inf", count);
            Sample(w, Name + "_sum", labels, null, sum);
            Sample(w, Name + "_count", labels, null, count);
        }

        private static void Sample(TextWriter w, string name, string labels, string? le, double value)
        {
            w.Write(name);
            if (labels.Length > 0 || le is not null)
            {
                w.Write('{');
                w.Write(labels);
                if (le is not null)
                {
                    if (labels.Length > 0) w.Write(',');
                    w.Write("le=\"");
                    w.Write(le);
                    w.Write('"');
                }
                w.Write('}');
            }
            w.Write(' ');
            w.Write(PrometheusNames.FormatValue(value));
            w.Write('\n');
        }
    }

    private sealed class Series(int bucketCount)
    {
        private readonly Lock _lock = new();
        private readonly long[] _buckets = bucketCount > 0 ? new long[bucketCount] : [];
        private double _value;
        private double _sum;
        private long _count;

        public double Value => Volatile.Read(ref _value);

        public void Add(double delta)
        {
            double seen, updated;
            do
            {
                seen = Volatile.Read(ref _value);
                updated = seen + delta;
            }
            while (Interlocked.CompareExchange(ref _value, updated, seen) != seen);
        }

        public void Set(double value) => Volatile.Write(ref _value, value);

        public void Observe(double value, double[] bounds)
        {
            // bucket i counts values in (bounds[i-1], bounds[i]]; values above the last bound only reach +Inf
            var index = Array.BinarySearch(bounds, value);
            if (index < 0) index = ~index;
            lock (_lock)
            {
                if (index < _buckets.Length) _buckets[index]++;
                _sum += value;
                _count++;
            }
        }

        public (long[] Buckets, double Sum, long Count) Snapshot()
        {
            lock (_lock) return ((long[])_buckets.Clone(), _sum, _count);
        }
    }
}
