using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Ebpf.Api;

public sealed record EnrollRequest(string? Token, string? Name, string? Hostname, string? AgentVersion, string? MachineId);

public sealed record EnrollResponse(string NodeId, string TeamId, string Name, string Credential, int ReportIntervalSeconds);

/// <summary>
/// The agent's first step: exchange an enrollment token for a node credential, which it then sends with its reports
/// (<see cref="ReportsModule.CredentialHeader"/>). The credential is not a host API key: it opens no other route.
/// </summary>
public sealed class EnrollmentModule : ICarterModule
{
    public const string CredentialPrefix = "epn_";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/nodes/enroll", async Task<Results<Ok<EnrollResponse>, Created<EnrollResponse>, ValidationProblem, ProblemHttpResult>> (EnrollRequest? body, NodeStore nodes, EbpfMetrics metrics, EbpfOptions options, TimeProvider clock, HttpContext context, CancellationToken ct) =>
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
            var result = await nodes.EnrollAsync(Secrets.Hash(body.Token!), node, Secrets.Hash(credential), now, ct);
            metrics.Enrollment(result is null ? "refused" : result.Value.Reenrolled ? "reenrolled" : "enrolled");
            if (result is null)
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Enrollment token is not valid",
                    detail: "The token is unknown, revoked, expired or used up.");
            var (enrolled, reenrolled) = result.Value;
            await TeamAccess.AuditAsync(context, reenrolled ? "ebpf.node.reenroll" : "ebpf.node.enroll", enrolled.Id, new { enrolled.TeamId, enrolled.Name, enrolled.TokenId });
            var answer = new EnrollResponse(enrolled.Id, enrolled.TeamId, enrolled.Name, credential, options.ReportIntervalSeconds);
            // a machine enrolling again gets its node back (200) with the new credential; a new machine gets a new node (201)
            if (reenrolled) return TypedResults.Ok(answer);
            return TypedResults.Created(context.PluginLink($"/api/v1/teams/{enrolled.TeamId}/nodes/{enrolled.Id}"), answer);
        }).WithSummary("Enroll a node with an enrollment token (agents)").AllowAnonymous();
    }
}
