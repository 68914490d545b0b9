using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Edgeplane.Host.Tests.Observability;

public sealed partial class MetricsEndpointTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private HttpClient Client => fixture.Host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> ScrapeAfterTrafficAsync()
    {
        (await Client.GetAsync("/greeter/hello/metrics_reader", Ct)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.InternalServerError, (await Client.GetAsync("/greeter/boom", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/nowhere", Ct)).StatusCode);
        var created = await Client.PostAsJsonAsync("/metered/api/items", new { name = "widget", size = 100, color = "red" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var response = await Client.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType!.ToString());
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task The_exposition_passes_promtool_check_metrics()
    {
        if (!ExternalTool.Exists("promtool"))
            Assert.Skip("promtool is not installed (Debian package prometheus; build/install-test-deps.sh installs it)");
        var text = await ScrapeAfterTrafficAsync();

        var result = await ExternalTool.RunAsync("promtool", ["check", "metrics"], text, Ct);

        Assert.True(result.ExitCode == 0, $"promtool check metrics failed:\n{result.Output}\n--- exposition ---\n{text}");
    }

    [Fact]
    public async Task HTTP_requests_are_counted_by_plugin_route_and_status_with_a_duration_histogram()
    {
        var text = await ScrapeAfterTrafficAsync();

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
        var hello = Series(text, "http_server_request_duration_seconds_count").Where(s =>
            s.Labels.Contains("plugin=\"greeter\"") && s.Labels.Contains("http_route=\"/greeter/hello/{name}\"")
            && s.Labels.Contains("http_response_status_code=\"200\"")).ToList();
        Assert.Single(hello);
        Assert.True(hello[0].Value >= 1);
        Assert.Contains(Series(text, "http_server_request_duration_seconds_count"), s =>
            s.Labels.Contains("plugin=\"greeter\"") && s.Labels.Contains("http_route=\"/greeter/boom\"") && s.Labels.Contains("http_response_status_code=\"500\""));
        Assert.Contains(Series(text, "http_server_request_duration_seconds_count"), s =>
            s.Labels.Contains("plugin=\"metered\"") && s.Labels.Contains("http_route=\"/metered/api/items/\"") && s.Labels.Contains("http_response_status_code=\"201\""));
        Assert.Contains(Series(text, "http_server_request_duration_seconds_count"), s =>
            s.Labels.Contains("plugin=\"host\"") && s.Labels.Contains("http_response_status_code=\"404\""));
        // buckets are cumulative and end in +Inf equal to the count
        var buckets = Series(text, "http_server_request_duration_seconds_bucket")
            .Where(s => s.Labels.Contains("http_route=\"/greeter/hello/{name}\"") && s.Labels.Contains("http_response_status_code=\"200\"")).ToList();
        Assert.True(buckets.Count > 2);
        Assert.Equal(buckets.Select(b => b.Value).Order(), buckets.Select(b => b.Value));
        Assert.Contains("le=\"+Inf\"", buckets[^1].Labels);
        Assert.Equal(hello[0].Value, buckets[^1].Value);
    }

    [Fact]
    public async Task Plugin_states_are_gauges_per_plugin_and_state()
    {
        var text = await ScrapeAfterTrafficAsync();

        Assert.Contains("# TYPE edgeplane_plugin_state gauge", text);
        Assert.Equal(1, Value(text, "edgeplane_plugin_state", "plugin=\"greeter\"", "state=\"active\""));
        Assert.Equal(0, Value(text, "edgeplane_plugin_state", "plugin=\"greeter\"", "state=\"failed\""));
        Assert.Equal(1, Value(text, "edgeplane_plugin_state", "plugin=\"throwing\"", "state=\"failed\""));
        Assert.Equal(0, Value(text, "edgeplane_plugin_state", "plugin=\"throwing\"", "state=\"active\""));
        Assert.True(Value(text, "edgeplane_plugin_load_duration_seconds", "plugin=\"metered\"") > 0);
    }

    [Fact]
    public async Task Every_instrument_a_plugin_creates_is_exported_with_prometheus_names_and_units()
    {
        var text = await ScrapeAfterTrafficAsync();

        Assert.Contains("# HELP metered_items_created_total Items created.", text);
        Assert.Contains("# TYPE metered_items_created_total counter", text);
        Assert.True(Value(text, "metered_items_created_total", "color=\"red\"") >= 1);
        Assert.Contains("# TYPE metered_cache_hits_total counter", text);               // camelCase → snake_case
        Assert.Contains("# TYPE metered_in_flight gauge", text);                       // up-down counter
        Assert.Equal(0, Value(text, "metered_in_flight"));
        Assert.Contains("# TYPE metered_load gauge", text);                            // synchronous gauge
        Assert.Contains("# TYPE metered_latency_seconds histogram", text);             // ms → seconds
        Assert.Contains("# HELP metered_latency_seconds Handling latency in milliseconds. (measured in ms, exported in seconds)", text);
        Assert.Contains("metered_latency_seconds_bucket{le=\"0.005\"}", text);        // 5 ms boundary, scaled
        Assert.Contains("# TYPE metered_payload_size_bytes histogram", text);          // advice boundaries
        var payloads = Value(text, "metered_payload_size_bytes_count");                  // each POST records 106 bytes
        Assert.True(payloads >= 1);
        Assert.Equal(0, Value(text, "metered_payload_size_bytes_bucket", "le=\"16\""));
        Assert.Equal(payloads, Value(text, "metered_payload_size_bytes_bucket", "le=\"256\""));
        Assert.Equal(payloads, Value(text, "metered_payload_size_bytes_bucket", "le=\"+Inf\""));
        Assert.Equal(106 * payloads, Value(text, "metered_payload_size_bytes_sum"));
        Assert.Contains("# TYPE metered_temperature_celsius gauge", text);             // observable gauge
        Assert.Contains("metered_temperature_celsius{room=\"lab \\\"A\\\"\\\\1\\nsecond line\"} 21.5", text); // label escaping
        Assert.Contains("# TYPE metered_queue_depth gauge", text);                     // observable up-down counter
        Assert.Contains("metered_queue_depth 3", text);
        Assert.Contains("# TYPE metered_ticks_total counter", text);                   // observable counter
        Assert.Contains("metered_ticks_total 42", text);
    }

    [Fact]
    public async Task The_runtime_and_the_server_meters_are_exported_too()
    {
        var text = await ScrapeAfterTrafficAsync();

        Assert.Contains("# TYPE kestrel_active_connections gauge", text);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text);
        Assert.DoesNotContain("aspnetcore_memory_pool_", text); // excluded by default (MetricsCollector.DefaultExcludedMeters)
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/readyz")]
    [InlineData("/healthz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/docs/index.html")]
    public async Task Observability_routes_need_no_credential_while_host_routes_do(string path)
    {
        using var open = await Client.GetAsync(path, Ct);
        using var closed = await Client.GetAsync("/api/v1/plugins", Ct);

        Assert.NotEqual(HttpStatusCode.Unauthorized, open.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, open.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
    }

    private sealed record Sample(string Labels, double Value);

    private static IEnumerable<Sample> Series(string text, string name) =>
        SampleLine().Matches(text).Where(m => m.Groups["name"].Value == name)
            .Select(m => new Sample(m.Groups["labels"].Value, double.Parse(m.Groups["value"].Value.Replace("+Inf", "Infinity"), System.Globalization.CultureInfo.InvariantCulture)));

    private static double Value(string text, string name, params string[] labels)
    {
        var matches = Series(text, name).Where(s => labels.All(s.Labels.Contains)).ToList();
        Assert.True(matches.Count == 1, $"expected one {name} with {string.Join(",", labels)}, found {matches.Count}");
        return matches[0].Value;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
