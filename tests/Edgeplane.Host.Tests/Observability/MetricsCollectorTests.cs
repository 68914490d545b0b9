using System.Diagnostics.Metrics;
using Edgeplane.Host.Data;
using Edgeplane.Host.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edgeplane.Host.Tests.Observability;

public sealed class MetricsCollectorTests : IDisposable
{
    private readonly string _prefix = "unit" + Guid.NewGuid().ToString("N")[..8];
    private readonly MetricsCollector _collector = new(NullLogger<MetricsCollector>.Instance, new ConfigurationBuilder().Build());
    private readonly Meter _meter;

    public MetricsCollectorTests() => _meter = new Meter(_prefix);

    public void Dispose()
    {
        _meter.Dispose();
        _collector.Dispose();
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_sum_and_count()
    {
        var histogram = _meter.CreateHistogram<double>(_prefix + ".wait", "s", "Waiting.", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        foreach (var v in new[] { 0.05, 0.1, 0.5, 5, 50 }) histogram.Record(v, new KeyValuePair<string, object?>("queue", "a"));

        var text = _collector.Scrape();

        var n = _prefix + "_wait_seconds";
        Assert.Contains($"# TYPE {n} histogram\n", text);
        Assert.Contains($"{n}_bucket{{queue=\"a\",le=\"0.1\"}} 2\n", text);  // 0.05 and 0.1 (le is inclusive)
        Assert.Contains($"{n}_bucket{{queue=\"a\",le=\"1\"}} 3\n", text);
        Assert.Contains($"{n}_bucket{{queue=\"a\",le=\"10\"}} 4\n", text);
        Assert.Contains($"{n}_bucket{{queue=\"a\",le=\"+Inf\"}} 5\n", text);
        Assert.Contains($"{n}_sum{{queue=\"a\"}} 55.65\n", text);
        Assert.Contains($"{n}_count{{queue=\"a\"}} 5\n", text);
    }

    [Fact]
    public void Milliseconds_are_exported_as_seconds_with_scaled_default_buckets()
    {
        var histogram = _meter.CreateHistogram<long>(_prefix + ".latency", "ms");
        histogram.Record(250);

        var text = _collector.Scrape();

        var n = _prefix + "_latency_seconds";
        Assert.Contains($"{n}_bucket{{le=\"0.1\"}} 0\n", text);
        Assert.Contains($"{n}_bucket{{le=\"0.25\"}} 1\n", text);
        Assert.Contains($"{n}_sum 0.25\n", text);
    }

    [Fact]
    public void Counters_sum_per_label_set_regardless_of_tag_order_and_ignore_negative_deltas()
    {
        var counter = _meter.CreateCounter<int>(_prefix + ".hits");
        counter.Add(2, new("b", "x"), new("a", 1));
        counter.Add(3, new("a", 1), new("b", "x"));
        counter.Add(-7, new("a", 1), new("b", "x"));
        counter.Add(1, new("a", 2), new("b", "x"));

        var text = _collector.Scrape();

        Assert.Contains($"{_prefix}_hits_total{{a=\"1\",b=\"x\"}} 5\n", text);
        Assert.Contains($"{_prefix}_hits_total{{a=\"2\",b=\"x\"}} 1\n", text);
    }

    [Fact]
    public void Up_down_counters_are_gauges_and_observable_series_disappear_when_no_longer_reported()
    {
        var updown = _meter.CreateUpDownCounter<long>(_prefix + ".open");
        updown.Add(5);
        updown.Add(-2);
        var report = true;
        _meter.CreateObservableGauge(_prefix + ".flag", () => report ? [new Measurement<int>(1, new KeyValuePair<string, object?>("k", "v"))] : Array.Empty<Measurement<int>>());

        var first = _collector.Scrape();
        report = false;
        var second = _collector.Scrape();

        Assert.Contains($"# TYPE {_prefix}_open gauge\n{_prefix}_open 3\n", first);
        Assert.Contains($"{_prefix}_flag{{k=\"v\"}} 1\n", first);
        Assert.DoesNotContain($"{_prefix}_flag", second);
    }

    [Fact]
    public void A_second_instrument_of_another_kind_under_the_same_name_is_not_exported()
    {
        _meter.CreateUpDownCounter<int>(_prefix + ".dup").Add(1);
        using var other = new Meter(_prefix + ".other");
        other.CreateHistogram<int>(_prefix + ".dup").Record(1);

        var text = _collector.Scrape();

        Assert.Contains($"# TYPE {_prefix}_dup gauge\n{_prefix}_dup 1\n", text);
        Assert.DoesNotContain($"{_prefix}_dup_bucket", text);
    }

    [Fact]
    public void A_throwing_observable_callback_does_not_break_the_scrape()
    {
        _meter.CreateObservableGauge(_prefix + ".broken", int () => throw new InvalidOperationException("boom"));
        _meter.CreateObservableGauge(_prefix + ".fine", () => 7);

        var text = _collector.Scrape();

        Assert.Contains($"{_prefix}_fine 7\n", text);
    }

    [Fact]
    public void Data_metrics_record_database_command_durations()
    {
        using var services = new ServiceCollection().AddMetrics().AddSingleton<DataMetrics>().BuildServiceProvider();
        var data = services.GetRequiredService<DataMetrics>();

        data.Record(TimeSpan.FromMilliseconds(3), "sqlite", "query", "dns");
        data.Record(TimeSpan.FromMilliseconds(30), "sqlite", "query", "dns", failed: true);
        using (data.Time("sqlite", "migrate")) { }

        var text = _collector.Scrape();
        Assert.Contains("# TYPE edgeplane_db_command_duration_seconds histogram", text);
        Assert.Contains("edgeplane_db_command_duration_seconds_bucket{db_operation=\"query\",db_system=\"sqlite\",outcome=\"ok\",plugin=\"dns\",le=\"0.005\"} 1\n", text);
        Assert.Contains("edgeplane_db_command_duration_seconds_count{db_operation=\"query\",db_system=\"sqlite\",outcome=\"error\",plugin=\"dns\"} 1\n", text);
        Assert.Contains("edgeplane_db_command_duration_seconds_count{db_operation=\"migrate\",db_system=\"sqlite\",outcome=\"ok\",plugin=\"host\"} 1\n", text);
    }

    // Meters named in Edgeplane:Metrics:ExcludedMeters are not listened to; Kestrel's memory pool by default.
    private static string ScrapeAfterRecording(string meterName, string? excluded)
    {
        var settings = excluded is null ? [] : new Dictionary<string, string?> { ["Edgeplane:Metrics:ExcludedMeters"] = excluded };
        using var collector = new MetricsCollector(NullLogger<MetricsCollector>.Instance, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var meter = new Meter(meterName);
        meter.CreateCounter<long>("probe.rented", "By").Add(4096);
        return collector.Scrape();
    }

    [Fact]
    public void The_memory_pool_meter_is_left_out_by_default_and_others_are_kept()
    {
        Assert.DoesNotContain("probe_rented_bytes_total", ScrapeAfterRecording("Microsoft.AspNetCore.MemoryPool", null));
        Assert.Contains("probe_rented_bytes_total 4096", ScrapeAfterRecording("Edgeplane.Tests.Probe" + Guid.NewGuid().ToString("N"), null));
    }

    [Fact]
    public void Configuration_names_the_excluded_meters_and_empty_excludes_none()
    {
        Assert.Contains("probe_rented_bytes_total 4096", ScrapeAfterRecording("Microsoft.AspNetCore.MemoryPool", ""));
        Assert.DoesNotContain("probe_rented_bytes_total", ScrapeAfterRecording("Edgeplane.Tests.Quiet", "Other.Meter; Edgeplane.Tests.Quiet"));
    }
}
