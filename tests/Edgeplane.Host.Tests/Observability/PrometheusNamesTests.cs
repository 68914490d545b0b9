using Edgeplane.Host.Observability;

namespace Edgeplane.Host.Tests.Observability;

public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("http.server.request.duration", "http_server_request_duration")]
    [InlineData("metered.cacheHits", "metered_cache_hits")]
    [InlineData("HTTPServer.Requests", "http_server_requests")]
    [InlineData("a..b--c", "a_b_c")]
    [InlineData("9lives", "_9lives")]
    [InlineData("__private", "private")]
    [InlineData("ns:name", "ns_name")]
    [InlineData("é", "unnamed")]
    public void Sanitize_gives_snake_case_prometheus_names(string input, string expected) =>
        Assert.Equal(expected, PrometheusNames.Sanitize(input));

    [Theory]
    [InlineData("s", "seconds", 1)]
    [InlineData("ms", "seconds", 0.001)]
    [InlineData("By", "bytes", 1)]
    [InlineData("KiBy", "bytes", 1024)]
    [InlineData("{request}", null, 1)]
    [InlineData("1", null, 1)]
    [InlineData("By/s", "bytes_per_second", 1)]
    [InlineData("{packet}/s", "per_second", 1)]
    [InlineData(null, null, 1)]
    public void Units_become_base_unit_suffixes(string? unit, string? suffix, double scale)
    {
        var conversion = PrometheusNames.Unit(unit);

        Assert.Equal(suffix, conversion.Suffix);
        Assert.Equal(scale, conversion.Scale);
    }

    [Theory]
    [InlineData("http.server.request.duration", "seconds", false, "http_server_request_duration_seconds")]
    [InlineData("edgeplane.jobs.runs", null, true, "edgeplane_jobs_runs_total")]
    [InlineData("edgeplane.jobs.runs.total", null, true, "edgeplane_jobs_runs_total")]
    [InlineData("io.read.bytes", "bytes", true, "io_read_bytes_total")]
    [InlineData("dotnet.process.cpu.count", null, false, "dotnet_process_cpu_count_value")]
    public void Metric_names_carry_the_unit_once_and_total_on_counters(string name, string? suffix, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(name, suffix, counter));

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusNames.EscapeLabelValue("a\\b\"c\nd"));
        Assert.Equal("plain", PrometheusNames.EscapeLabelValue("plain"));
        Assert.Equal("line\\nnext \\\\ \"quoted\"", PrometheusNames.EscapeHelp("line\nnext \\ \"quoted\""));
    }

    [Fact]
    public void Reserved_label_names_are_renamed()
    {
        Assert.Equal("tag_le", PrometheusNames.LabelName("le"));
        Assert.Equal("http_route", PrometheusNames.LabelName("http.route"));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-9, "1E-09")]
    public void Values_are_formatted_as_prometheus_reads_them(double value, string expected) =>
        Assert.Equal(expected, PrometheusNames.FormatValue(value));
}
