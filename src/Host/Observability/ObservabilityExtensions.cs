using Edgeplane.Host.Plugins;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Host.Observability;

/// <summary>
/// Wires <c>/metrics</c> (Prometheus text format over every System.Diagnostics.Metrics instrument)
/// and <c>/readyz</c> (every registered health check, including one over the plugin states).
/// </summary>
public static class ObservabilityExtensions
{
    public const string MetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Registers the collector, the host's instruments and the health checks.</summary>
    public static IServiceCollection AddEdgeplaneObservability(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<MetricsCollector>();
        services.AddSingleton<HostMetrics>();
        services.AddSingleton<PluginStartup>();
        services.AddHealthChecks().AddCheck<PluginHealthCheck>(PluginHealthCheck.Name)
            .AddCheck<PluginStartup>(PluginStartup.Name);
        return services;
    }

    /// <summary>Starts listening to every meter, so that the measurements from here on count.</summary>
    public static void StartEdgeplaneMetrics(this IServiceProvider services)
    {
        services.GetRequiredService<MetricsCollector>();
        services.GetRequiredService<HostMetrics>();
    }

    /// <summary>Adds the <c>plugin</c> tag (the endpoint's plugin id, or <c>host</c>) to ASP.NET Core's HTTP server metrics.</summary>
    public static WebApplication UseEdgeplaneObservability(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var tags = context.Features.Get<IHttpMetricsTagsFeature>();
            if (tags is null) return next(context); // nobody listens to the HTTP server metrics
            if (context.GetEndpoint() is { } endpoint)
            {
                tags.Tags.Add(new("plugin", PluginOf(endpoint)));
                return next(context);
            }
            return TagAfterRouting(context, next, tags);
        });
        return app;
    }

    // Routing ran after this middleware (or found nothing): tag with what it found once the request is done.
    private static async Task TagAfterRouting(HttpContext context, RequestDelegate next, IHttpMetricsTagsFeature tags)
    {
        try
        {
            await next(context);
        }
        finally
        {
            tags.Tags.Add(new("plugin", PluginOf(context.GetEndpoint())));
        }
    }

    private static string PluginOf(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<PluginEndpointMetadata>()?.PluginId ?? "host";

    /// <summary>Maps <c>GET /metrics</c> and <c>GET /readyz</c>, both anonymous.</summary>
    public static WebApplication MapEdgeplaneObservability(this WebApplication app)
    {
        app.MapGet("/metrics", async (MetricsCollector collector, HttpContext context) =>
            {
                context.Response.ContentType = MetricsContentType;
                context.Response.Headers.CacheControl = "no-store";
                var text = collector.Scrape();
                await context.Response.WriteAsync(text, context.RequestAborted);
            })
            .WithTags("host")
            .WithSummary("Metrics in the Prometheus text exposition format")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .AllowAnonymous();

        app.MapGet("/readyz", async (HealthCheckService health, HttpContext context) =>
            {
                var report = await health.CheckHealthAsync(context.RequestAborted);
                context.Response.Headers.CacheControl = "no-store";
                var body = ReadinessReport.From(report);
                return report.Status == HealthStatus.Unhealthy
                    ? Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Results.Json(body);
            })
            .WithTags("host")
            .WithSummary("Readiness: every enabled plugin active and every registered health check healthy")
            .Produces<ReadinessReport>(StatusCodes.Status200OK)
            .Produces<ReadinessReport>(StatusCodes.Status503ServiceUnavailable)
            .AllowAnonymous();
        return app;
    }
}

/// <summary>The body of <c>/readyz</c>: the overall status, what is not ready, and every check.</summary>
public sealed record ReadinessReport(string Status, double DurationMs, IReadOnlyList<ReadinessCheck> NotReady, IReadOnlyList<ReadinessCheck> Checks)
{
    public static ReadinessReport From(HealthReport report)
    {
        var checks = report.Entries.Select(e => new ReadinessCheck(
                e.Key,
                StatusOf(e.Value.Status),
                e.Value.Description ?? e.Value.Exception?.Message,
                Math.Round(e.Value.Duration.TotalMilliseconds, 2),
                e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => d.Value?.ToString())))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        return new ReadinessReport(StatusOf(report.Status), Math.Round(report.TotalDuration.TotalMilliseconds, 2),
            checks.Where(c => c.Status == "unhealthy").ToList(), checks);
    }

    private static string StatusOf(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}

/// <summary>One health check's outcome; <c>data</c> names each item that is not ready (for <c>plugins</c>: id → state and reason).</summary>
public sealed record ReadinessCheck(string Name, string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, string?>? Data);
