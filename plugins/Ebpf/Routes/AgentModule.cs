using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Ebpf.Routes;

public sealed record EnrollRequest(string? Token, string? Name, string? Hostname, string? AgentVersion, string? MachineId);

public sealed record EnrollResponse(string NodeId, string TeamId, string Name, string Credential, int ReportIntervalSeconds);

/// <summary>
/// The agent's side: exchange an enrollment token for a node credential, then post reports with it
/// (<c>X-Edgeplane-Node-Credential</c>). The credential is not a host API key: it opens no other route.
/// </summary>
public sealed class AgentModule : ICarterModule
{
    public const string CredentialHeader = "X-Edgeplane-Node-Credential";
    public const string CredentialPrefix = "epn_";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/nodes/enroll", async Task<IResult> (EnrollRequest? body, EbpfStore store, EbpfMetrics metrics, EbpfOptions options, TimeProvider clock, HttpContext context, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var name = (body?.Name ?? body?.Hostname)?.Trim();
            errors.Check(!string.IsNullOrEmpty(body?.Token), "token", "is required");
            errors.Check(!string.IsNullOrEmpty(name), "name", "is required");
            errors.Check(name is null || name.Length <= 255 && !name.Any(char.IsControl), "name", "must be at most 255 printable characters");
            errors.Check(body?.Hostname is null || body.Hostname.Length <= 255, "hostname", "must be at most 255 characters");
            errors.Check(body?.AgentVersion is null || body.AgentVersion.Length <= 64, "agentVersion", "must be at most 64 characters");
            errors.Check(body?.MachineId is null || MachineId.IsValid(body.MachineId), "machineId", MachineId.Rule);
            if (errors.Any) return errors.ToProblem();

            var now = clock.GetUtcNow();
            var credential = Secrets.Generate(CredentialPrefix);
            var node = new NodeRow { Id = Ids.New(now), Name = name!, Hostname = body!.Hostname, MachineId = body.MachineId, AgentVersion = body.AgentVersion, EnrolledAt = now };
            var result = await store.EnrollAsync(Secrets.Hash(body.Token!), node, Secrets.Hash(credential), now, ct);
            metrics.Enrollment(result is null ? "refused" : result.Value.Reenrolled ? "reenrolled" : "enrolled");
            if (result is null)
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Enrollment token is not valid",
                    detail: "The token is unknown, revoked, expired or used up.");
            var (enrolled, reenrolled) = result.Value;
            await TeamAccess.AuditAsync(context, reenrolled ? "ebpf.node.reenroll" : "ebpf.node.enroll", enrolled.Id, new { enrolled.TeamId, enrolled.Name, enrolled.TokenId });
            var answer = new EnrollResponse(enrolled.Id, enrolled.TeamId, enrolled.Name, credential, options.ReportIntervalSeconds);
            // a machine enrolling again gets its node back (200) with the new credential; a new machine gets a new node (201)
            return reenrolled ? TypedResults.Ok(answer) : TypedResults.Created(context.PluginLink($"/api/v1/teams/{enrolled.TeamId}/nodes/{enrolled.Id}"), answer);
        }).WithSummary("Enroll a node with an enrollment token (agents)").AllowAnonymous();

        app.MapPost("/api/v1/nodes/{nodeId}/reports", async Task<IResult> (string nodeId, HttpContext context, EbpfStore store, IngestQueue ingest, EbpfMetrics metrics, EbpfOptions options, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var presented = context.Request.Headers[CredentialHeader].ToString();
            if (string.IsNullOrEmpty(presented))
            {
                metrics.Report("unauthorized");
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Node credential required",
                    detail: $"Send the node credential in {CredentialHeader}.");
            }
            var node = await store.FindNodeByCredentialAsync(Secrets.Hash(presented), ct);
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
            var body = await ReadBoundedAsync(context.Request.Body, context.Request.ContentLength, options.MaxReportBytes, ct);
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
            return TypedResults.Ok(new { nodeId = node.Id, accepted = true, result.Programs, result.Maps, result.Appeared, result.Disappeared, result.Changed, reportIntervalSeconds = options.ReportIntervalSeconds });
        }).WithSummary("Report a node's inventory (agents, with the node's credential)").Accepts<Dictionary<string, object>>("application/json", "*/*").AllowAnonymous().DisableRequestAudit(); // periodic telemetry; enrollment and node changes are audited by the plugin
    }

    private static IResult TooLarge(EbpfOptions options, EbpfMetrics metrics)
    {
        metrics.Report("too_large");
        return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Report too large",
            detail: $"A report may be at most {options.MaxReportBytes} bytes.");
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(Stream stream, long? declared, long limit, CancellationToken ct)
    {
        // With a declared length (already checked against the limit) read straight into one array.
        var buffer = new byte[declared is { } d and > 0 ? d + 1 : 64 * 1024];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > limit) return null;
                Array.Resize(ref buffer, (int)Math.Min(limit + 1, buffer.Length * 2L));
            }
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
            if (length > limit) return null;
        }
        return buffer.AsMemory(0, length);
    }
}
