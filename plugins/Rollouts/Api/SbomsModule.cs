using System.Text;
using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Sboms;
using Edgeplane.Plugins.Rollouts.Domain.Sboms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// SBOM attach / download: <c>POST /artifacts/{id}/sboms</c> (the document itself as
/// <c>application/vnd.cyclonedx+json</c> or <c>application/spdx+json</c>), <c>GET /artifacts/{id}/sboms</c>,
/// <c>GET /artifacts/{id}/sboms/{sbomId}</c> (the document in its native content type), and its components.
/// </summary>
public sealed class SbomsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var sboms = app.MapGroup("/api/v1/artifacts/{id}/sboms");
        // the SBOM document as the body; its Content-Type names the format (another type is a 415 after authentication)
        sboms.MapPost("/", AttachAsync).WithSummary("Attach an SBOM (CycloneDX or SPDX) to an artifact").Produces<SbomView>(StatusCodes.Status201Created).Accepts<Dictionary<string, object>>(SbomFormats.CycloneDxType, SbomFormats.SpdxType, "*/*").RequirePermission("rollouts.artifacts.write");
        sboms.MapGet("/", ListAsync).WithSummary("An artifact's SBOMs").Produces<Page<SbomView>>().RequirePermission("rollouts.artifacts.read");
        sboms.MapGet("/{sbomId}", DownloadAsync).WithSummary("Download an SBOM").Produces<Dictionary<string, object>>(StatusCodes.Status200OK, SbomFormats.CycloneDxType, SbomFormats.SpdxType).RequirePermission("rollouts.artifacts.read");
        sboms.MapGet("/{sbomId}/components", ComponentsAsync).WithSummary("An SBOM's components").Produces<Page<SbomComponent>>().RequirePermission("rollouts.artifacts.read");
    }

    private static async Task<IResult> AttachAsync(string id, HttpContext http, ICaller caller, ArtifactStore artifacts, SbomStore store, ArtifactOptions options,
        IAuditLog audit, CancellationToken ct)
    {
        var format = SbomParser.FormatOf(http.Request.ContentType);
        if (format is null)
            return TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type",
                detail: $"send the SBOM as {SbomFormats.CycloneDxType} or {SbomFormats.SpdxType} (JSON)");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = options.MaxSbomBytes + 1;
        using var buffer = new MemoryStream();
        try
        {
            await http.Request.Body.CopyToAsync(buffer, ct);
        }
        catch (BadHttpRequestException)
        {
            return new FieldErrors().Add("document", $"must be at most {options.MaxSbomBytes} bytes").ToProblem();
        }
        var errors = new FieldErrors();
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            return errors.Add("document", "must be UTF-8 JSON").ToProblem();
        }
        if (buffer.Length > options.MaxSbomBytes) return errors.Add("document", $"must be at most {options.MaxSbomBytes} bytes").ToProblem();
        var problems = new List<string>();
        var parsed = SbomParser.Parse(format, text, problems);
        if (parsed is null)
        {
            foreach (var p in problems) errors.Add("document", p);
            return errors.ToProblem("Invalid SBOM document");
        }
        if (await artifacts.FindAsync(caller.TeamId!, id) is not { } artifact) return TypedResults.NotFound();
        var row = await store.AttachAsync(caller.TeamId!, artifact.Id, caller.UserId, parsed, text);
        await audit.RecordAsync("rollouts.sbom.attach", row.Id, new { artifact = artifact.Id, row.Format, row.SpecVersion, row.Components, row.Sha256 });
        return TypedResults.Created(http.PluginLink($"/api/v1/artifacts/{artifact.Id}/sboms/{row.Id}"), SbomView.From(row));
    }

    private static async Task<IResult> ListAsync(string id, [AsParameters] PageRequest page, ICaller caller, ArtifactStore artifacts, SbomStore store)
    {
        if (await artifacts.FindAsync(caller.TeamId!, id) is null) return TypedResults.NotFound();
        var rows = await store.ListAsync(caller.TeamId!, id);
        return TypedResults.Ok(new Page<SbomView>(rows.Skip(page.Skip).Take(page.Take).Select(SbomView.From).ToList(), rows.Count, page.Take, page.Skip));
    }

    private static async Task<IResult> DownloadAsync(string id, string sbomId, ICaller caller, SbomStore store, HttpContext http)
    {
        if (await store.FindAsync(caller.TeamId!, id, sbomId) is not { } found) return TypedResults.NotFound();
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{found.Row.Id}.{(found.Row.Format == "spdx" ? "spdx" : "cdx")}.json\"";
        return TypedResults.Bytes(Encoding.UTF8.GetBytes(found.Document), SbomFormats.ContentType(found.Row.Format));
    }

    private static async Task<IResult> ComponentsAsync(string id, string sbomId, [AsParameters] PageRequest page, ICaller caller, SbomStore store)
    {
        if (await store.FindAsync(caller.TeamId!, id, sbomId) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await store.ComponentsAsync(sbomId, page));
    }
}
