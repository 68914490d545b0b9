using System.Globalization;
using System.Text;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class StatusModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/status", (WafStatus status) => Json.Ok(status.Status())).WithSummary("The engine's status").RequirePermission("waf.status.read");
        app.MapGet("/api/v1/stats", (WafStatus status) => Json.Ok(status.Stats())).WithSummary("Request and block counters").RequirePermission("waf.status.read");
        app.MapGet("/metrics", Metrics).WithSummary("The WAF's metrics in the Prometheus text format").Produces<string>(contentType: "text/plain").RequirePermission("waf.status.read").ForProfiles(ApiProfiles.Native);
        // SecBeat's "public metrics" (its port 9090): a mount with the seed profile serves them without a key;
        // keep internal ones (9191) on a native mount, which needs one
        app.MapGet("/metrics", Metrics).WithSummary("The WAF's metrics in the Prometheus text format (the seed's, anonymous)").Produces<string>(contentType: "text/plain").AllowAnonymous().ForProfiles(ApiProfiles.Seed);
    }

    private static IResult Metrics(WafEngine engine, WafMetrics metrics, WafStatus status) =>
        Results.Text(Prometheus(engine, metrics, status), "text/plain; version=0.0.4; charset=utf-8");

    /// <summary>The seed's metric names in the Prometheus text exposition format.</summary>
    internal static string Prometheus(WafEngine engine, WafMetrics metrics, WafStatus status)
    {
        var c = engine.Counters;
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, double value)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            sb.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        void Histogram(string name, string help, (long[] Buckets, double Sum) h)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(" histogram\n");
            long cumulative = 0;
            for (var i = 0; i < WafMetrics.Buckets.Length; i++)
            {
                cumulative += h.Buckets[i];
                sb.Append(name).Append("_bucket{le=\"").Append(WafMetrics.Buckets[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative).Append('\n');
            }
            cumulative += h.Buckets[^1];
            sb.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(cumulative).Append('\n');
            sb.Append(name).Append("_sum ").Append(h.Sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append(name).Append("_count ").Append(cumulative).Append('\n');
        }
        Metric("secbeat_packets_processed_total", "counter", "Total requests inspected", c.Inspected);
        Metric("secbeat_attacks_blocked_total", "counter", "Total requests blocked or rate limited", c.Blocked + c.RateLimited);
        Metric("secbeat_rate_limited_total", "counter", "Requests answered 429", c.RateLimited);
        Metric("secbeat_slow_clients_cut_total", "counter", "Slow clients cut off by listener timeouts", c.SlowClientsCut);
        Histogram("secbeat_latency_seconds", "Request latency through the proxy", metrics.LatencyHistogram());
        Histogram("secbeat_inspection_seconds", "Time spent inspecting one request", metrics.InspectionHistogram());
        Metric("secbeat_connections_active", "gauge", "Current proxy connections", metrics.ActiveConnections);
        Metric("secbeat_cpu_usage_percent", "gauge", "Process CPU usage percentage", status.CpuPercent());
        Metric("secbeat_memory_usage_bytes", "gauge", "Process working set in bytes", System.Diagnostics.Process.GetCurrentProcess().WorkingSet64);
        Metric("secbeat_rules_active", "gauge", "Rules the engine enforces", engine.Snapshot.Rules.Count);
        return sb.ToString();
    }
}
