using Edgeplane.Plugins.Rollouts.Data.Reports;
using Edgeplane.Plugins.Rollouts.Domain.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// Evidence reports, each as JSON or PDF (<c>?format=pdf</c>, or <c>Accept: application/pdf</c>):
/// <c>GET /reports/readiness</c>, <c>GET /reports/vulnerabilities</c>, <c>GET /reports/incidents</c>, <c>GET /reports/incidents/{id}</c>.
/// </summary>
public sealed class ReportsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/reports");
        reports.MapGet("/readiness", ReadinessAsync).WithSummary("The fleet readiness report (JSON or PDF)").Produces<ReadinessReport>().Produces<Stream>(StatusCodes.Status200OK, "application/pdf").RequirePermission("rollouts.reports.read");
        reports.MapGet("/vulnerabilities", VulnerabilitiesAsync).WithSummary("The vulnerability report (JSON or PDF)").Produces<VulnerabilityReport>().Produces<Stream>(StatusCodes.Status200OK, "application/pdf").RequirePermission("rollouts.reports.read");
        reports.MapGet("/incidents", IncidentsAsync).WithSummary("The incidents report (JSON or PDF)").Produces<IncidentReport>().Produces<Stream>(StatusCodes.Status200OK, "application/pdf").RequirePermission("rollouts.reports.read");
        reports.MapGet("/incidents/{id}", IncidentAsync).WithSummary("One incident's report (JSON or PDF)").Produces<IncidentReport>().Produces<Stream>(StatusCodes.Status200OK, "application/pdf").RequirePermission("rollouts.reports.read");
    }

    /// <summary>pdf, json, or null for a bad <c>format</c>.</summary>
    private static string? Format(HttpRequest request, string? format) => format?.ToLowerInvariant() switch
    {
        "pdf" => "pdf",
        "json" => "json",
        null => request.Headers.Accept.Any(a => a?.Contains("application/pdf", StringComparison.OrdinalIgnoreCase) == true) ? "pdf" : "json",
        _ => null,
    };

    private static IResult BadFormat() => new FieldErrors().Add("format", "must be json or pdf").ToProblem();

    private static IResult Pdf(byte[] pdf, string name) => TypedResults.File(pdf, "application/pdf", name);

    private static async Task<IResult> ReadinessAsync(HttpRequest request, string? format, ICaller caller, ReportService reports, BrandingStore branding, IAuditLog audit)
    {
        if (Format(request, format) is not { } f) return BadFormat();
        var report = await reports.ReadinessAsync(caller.TeamId!);
        if (f == "json") return TypedResults.Ok(report);
        await audit.RecordAsync("rollouts.report.readiness", caller.TeamId!, new { format = f });
        return Pdf(ReportService.Pdf(report, await branding.GetAsync(caller.TeamId!)), "readiness-report.pdf");
    }

    private static async Task<IResult> VulnerabilitiesAsync(HttpRequest request, string? format, ICaller caller, ReportService reports, BrandingStore branding, IAuditLog audit)
    {
        if (Format(request, format) is not { } f) return BadFormat();
        var report = await reports.VulnerabilitiesAsync(caller.TeamId!);
        if (f == "json") return TypedResults.Ok(report);
        await audit.RecordAsync("rollouts.report.vulnerabilities", caller.TeamId!, new { format = f });
        return Pdf(ReportService.Pdf(report, await branding.GetAsync(caller.TeamId!)), "vulnerability-report.pdf");
    }

    private static async Task<IResult> IncidentsAsync(HttpRequest request, string? format, DateTimeOffset? from, DateTimeOffset? to, ICaller caller,
        ReportService reports, BrandingStore branding)
    {
        var f = Format(request, format);
        var errors = new FieldErrors().Check(f is not null, "format", "must be json or pdf").Check(from is null || to is null || from <= to, "from", "must not be after 'to'");
        if (errors.Any) return errors.ToProblem();
        var report = await reports.IncidentsAsync(caller.TeamId!, from, to, null);
        return f == "json" ? TypedResults.Ok(report) : Pdf(ReportService.Pdf(report, await branding.GetAsync(caller.TeamId!)), "incident-report.pdf");
    }

    private static async Task<IResult> IncidentAsync(string id, HttpRequest request, string? format, ICaller caller, ReportService reports, BrandingStore branding)
    {
        if (Format(request, format) is not { } f) return BadFormat();
        var report = await reports.IncidentsAsync(caller.TeamId!, null, null, id);
        if (report.Incidents.Count == 0) return TypedResults.NotFound();
        return f == "json" ? TypedResults.Ok(report) : Pdf(ReportService.Pdf(report, await branding.GetAsync(caller.TeamId!)), $"incident-{id}.pdf");
    }
}
