using Edgeplane.Plugins.Ebpf.Jobs;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>
/// The agent's reports: a node posts its inventory with its credential (<see cref="CredentialHeader"/>), for its own node only.
/// </summary>
public sealed class ReportsModule : ICarterModule
{
    public const string CredentialHeader = "X-Edgeplane-Node-Credential";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/nodes/{nodeId}/reports", async Task<Results<Ok<ReportAccepted>, ValidationProblem, ProblemHttpResult>> (string nodeId, HttpContext context, NodeStore nodes, IngestQueue ingest, EbpfMetrics metrics, EbpfOptions options, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var presented = context.Request.Headers[CredentialHeader].ToString();
            if (string.IsNullOrEmpty(presented))
            {
                metrics.Report("unauthorized");
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Node credential required",
                    detail: $"Send the node credential in {CredentialHeader}.");
            }
            var node = await nodes.FindByCredentialAsync(Secrets.Hash(presented), ct);
            if (node is null)
            {
                metrics.Report("unauthorized");
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Node credential is not valid",
                    detail: "The credential is unknown or its node was removed.");
            }
            if (!string.Equals(node.Id, nodeId, StringComparison.Ordinal))
            {
                metrics.Report("forbidden");
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Credential belongs to another node",
                    detail: "A node credential only allows reporting for its own node.");
            }

            if (context.Request.ContentLength is { } declared && declared > options.MaxReportBytes)
                return TooLarge(options, metrics);
            var body = await BoundedBody.ReadAsync(context.Request.Body, context.Request.ContentLength, options.MaxReportBytes, ct);
            if (body is null) return TooLarge(options, metrics);

            var problems = new Dictionary<string, List<string>>();
            var report = AgentReport.Parse(body.Value, options.MaxObjectsPerReport, problems);
            if (report is null)
            {
                metrics.Report("malformed");
                var errors = new FieldErrors();
                foreach (var (field, messages) in problems)
                    foreach (var m in messages) errors.Add(field, m);
                return errors.ToProblem("Malformed report");
            }
            var started = clock.GetTimestamp();
            var result = await ingest.SubmitAsync(node, report, ct);
            if (result is null)
            {
                metrics.Report("unauthorized");
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Node credential is not valid",
                    detail: "The node was removed.");
            }
            metrics.Report("accepted");
            metrics.Ingested(result.Appeared, result.Disappeared, clock.GetElapsedTime(started));
            loggers.CreateLogger("Edgeplane.Plugins.Ebpf.Ingestion").LogDebug(
                "Node {Node}: {Programs} programs, {Maps} maps, {Appeared} appeared, {Disappeared} disappeared",
                node.Id, result.Programs, result.Maps, result.Appeared, result.Disappeared);
            return TypedResults.Ok(new ReportAccepted(node.Id, Accepted: true, result.Programs, result.Maps, result.Appeared, result.Disappeared, result.Changed, options.ReportIntervalSeconds));
        }).WithSummary("Report a node's inventory (agents, with the node's credential)").Accepts<Dictionary<string, object>>("application/json", "*/*").AllowAnonymous().DisableRequestAudit(); // periodic telemetry; enrollment and node changes are audited by the plugin
    }

    private static ProblemHttpResult TooLarge(EbpfOptions options, EbpfMetrics metrics)
    {
        metrics.Report("too_large");
        return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Report too large",
            detail: $"A report may be at most {options.MaxReportBytes} bytes.");
    }
}
