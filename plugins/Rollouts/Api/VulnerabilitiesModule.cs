using System.Text.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Data.Evidence;
using Edgeplane.Plugins.Rollouts.Domain.Evidence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>The vulnerability list the vulnerability report matches against: <c>POST /vulnerabilities</c> (OSV JSON), <c>GET</c>, <c>DELETE /vulnerabilities/{id}</c>.</summary>
public sealed class VulnerabilitiesModule : ICarterModule
{
    public const int MaxImportBytes = 32 * 1024 * 1024;

    /// <summary>How many OSV entries an import read, and how many of them were new or replaced one of the team's.</summary>
    public sealed record VulnerabilityImport(int Imported, int Created, int Replaced);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var vulns = app.MapGroup("/api/v1/vulnerabilities");
        // the document as the body: one OSV entry, an array of them, or {"vulns": [...]} (osv-scanner's output), read whatever the Content-Type
        vulns.MapPost("/", ImportAsync).WithSummary("Import vulnerabilities (OSV)").Produces<VulnerabilityImport>().Accepts<Dictionary<string, object>>("application/json", "*/*").RequirePermission("rollouts.vulnerabilities.write");
        vulns.MapGet("/", ListAsync).WithSummary("The team's vulnerabilities and the artifacts they affect").Produces<Page<VulnerabilityView>>().RequirePermission("rollouts.vulnerabilities.read");
        vulns.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a vulnerability").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.vulnerabilities.write");
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, ICaller caller, VulnerabilityStore store, IAuditLog audit, TimeProvider clock)
    {
        if (request.ContentLength > MaxImportBytes) return new FieldErrors().Add("body", $"must be at most {MaxImportBytes / (1024 * 1024)} MB").ToProblem();
        JsonNode? document;
        try
        {
            document = await JsonNode.ParseAsync(request.Body, documentOptions: RequestBody.DocumentOptions, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return new FieldErrors().Add("body", "not JSON: " + e.Message).ToProblem();
        }
        var problems = new List<string>();
        var records = Osv.Parse(document, problems);
        if (problems.Count > 0) return new FieldErrors().AddRange(new Dictionary<string, string[]> { ["body"] = problems.Take(20).ToArray() }).ToProblem();
        var (created, replaced) = await store.ImportAsync(caller.TeamId!, records, clock.GetUtcNow());
        await audit.RecordAsync("rollouts.vulnerabilities.import", caller.TeamId!, new { created, replaced });
        return TypedResults.Ok(new VulnerabilityImport(records.Count, created, replaced));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, string? severity, ICaller caller, VulnerabilityStore store)
    {
        return TypedResults.Ok(await store.ListAsync(caller.TeamId!, severity, page));
    }

    private static async Task<IResult> DeleteAsync(string id, ICaller caller, VulnerabilityStore store, IAuditLog audit)
    {
        if (!await store.DeleteAsync(caller.TeamId!, id)) return TypedResults.NotFound();
        await audit.RecordAsync("rollouts.vulnerabilities.delete", id);
        return TypedResults.NoContent();
    }
}
