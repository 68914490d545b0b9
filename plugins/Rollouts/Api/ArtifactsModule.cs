using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary><c>POST/GET /artifacts</c>, <c>GET/PATCH /artifacts/{id}</c>. Publishing always goes through the update-signing repository.</summary>
public sealed class ArtifactsModule : ICarterModule
{
    public sealed class ArtifactPatch
    {
        public string? Description { get; set; }
        public List<string>? DeviceTypes { get; set; }
        public Dictionary<string, string>? Labels { get; set; }

        /// <summary>Any other field: refused (name, version and payload are signed).</summary>
        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Other { get; set; }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var artifacts = app.MapGroup("/api/v1/artifacts");
        // multipart/form-data (another type is a 400 after authentication)
        artifacts.MapPost("/", UploadAsync).WithSummary("Upload an artifact (multipart: file and metadata)").Produces<ArtifactView>(StatusCodes.Status201Created).Accepts<ArtifactUpload>("multipart/form-data", "*/*").RequirePermission("rollouts.artifacts.write").DisableAntiforgery();
        artifacts.MapGet("/", ListAsync).WithSummary("The team's artifacts").Produces<Page<ArtifactView>>().RequirePermission("rollouts.artifacts.read");
        artifacts.MapGet("/{id}", GetAsync).WithSummary("One artifact").Produces<ArtifactView>().RequirePermission("rollouts.artifacts.read");
        artifacts.MapPatch("/{id}", PatchAsync).WithSummary("Change an artifact's metadata").Produces<ArtifactView>().RequirePermission("rollouts.artifacts.write");
    }

    /// <summary>The upload's form as the document describes it: <see cref="DeviceTypes"/> comma-separated or repeated, <see cref="Labels"/> <c>key=value</c>.</summary>
    public sealed record ArtifactUpload(string Name, string Version, string DeviceTypes, string? Description, string[]? Labels, string? FileName, IFormFile File);

    internal static bool IsValidVersion(string? v) =>
        v is { Length: > 0 and <= 64 } && char.IsAsciiLetterOrDigit(v[0]) && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+');

    internal static bool IsValidFileName(string? f) =>
        f is { Length: > 0 and <= 128 } && char.IsAsciiLetterOrDigit(f[0]) && f.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    internal static void CheckDeviceTypes(FieldErrors errors, IReadOnlyList<string>? types, bool required)
    {
        if (types is null || types.Count == 0)
        {
            if (required) errors.Add("deviceTypes", "at least one device type is required");
            return;
        }
        if (types.Count > 64) errors.Add("deviceTypes", "at most 64 device types");
        foreach (var t in types)
            if (!Names.IsValidName(t)) errors.Add("deviceTypes", $"'{t}' must be 1-63 letters, digits, '.', '-' or '_'");
    }

    private static async Task<IResult> UploadAsync(HttpContext http, ICaller caller, ArtifactStore store, ArtifactOptions options, IAuditLog audit,
        ILogger<ArtifactsModule> logger, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = options.MaxArtifactBytes + 1024 * 1024;
        var errors = new FieldErrors();
        if (!http.Request.HasFormContentType)
            return errors.Add("file", "send multipart/form-data with fields name, version, deviceTypes and the payload as 'file'").ToProblem();
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = options.MaxArtifactBytes + 1024 * 1024 }, ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return errors.Add("file", $"the upload is larger than {options.MaxArtifactBytes} bytes or malformed").ToProblem();
        }
        string? name = form["name"], version = form["version"], description = form["description"];
        var deviceTypes = form["deviceTypes"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
        var labels = new Dictionary<string, string>();
        foreach (var l in form["labels"])
        {
            var eq = l?.IndexOf('=') ?? -1;
            if (eq <= 0) errors.Add("labels", $"'{l}' must be key=value");
            else labels[l![..eq]] = l[(eq + 1)..];
        }
        var file = form.Files.GetFile("file");
        var fileName = form["fileName"].FirstOrDefault() ?? file?.FileName;
        if (string.IsNullOrEmpty(fileName) || fileName is "blob") fileName = $"{name}-{version}.bin";
        fileName = Path.GetFileName(fileName);
        errors.Check(Names.IsValidName(name), "name", "must be 1-63 letters, digits, '.', '-' or '_'")
            .Check(IsValidVersion(version), "version", "must be 1-64 letters, digits, '.', '-', '_' or '+'")
            .Check((description?.Length ?? 0) <= 4000, "description", "must be at most 4,000 characters")
            .Check(file is not null, "file", "the payload is required (multipart field 'file')")
            .Check(file is null || file.Length > 0, "file", "the payload is empty")
            .Check(file is null || file.Length <= options.MaxArtifactBytes, "file", $"must be at most {options.MaxArtifactBytes} bytes")
            .Check(file is null || IsValidFileName(fileName), "fileName", "must be 1-128 letters, digits, '.', '-' or '_'");
        CheckDeviceTypes(errors, deviceTypes, required: true);
        if (Names.CheckLabels(labels) is { } labelError) errors.Add("labels", labelError);
        if (errors.Any) return errors.ToProblem();

        // The platform never looks inside the payload: it is hashed and stored as bytes.
        var payload = new byte[file!.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(payload, ct);
        var contentType = string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType;
        return await PublishAsync(http, store, audit, logger, new NewArtifact(caller.TeamId!, caller.UserId, name!, version!, deviceTypes, description ?? "", labels, fileName!,
            contentType, new JsonObject { ["kind"] = "upload" }), payload, ct);
    }

    internal static async Task<IResult> PublishAsync(HttpContext http, ArtifactStore store, IAuditLog audit, ILogger logger, NewArtifact artifact, byte[] payload, CancellationToken ct)
    {
        ArtifactRow row;
        try
        {
            row = await store.PublishAsync(artifact, payload, ct);
        }
        catch (ArtifactConflictException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: e.Message);
        }
        catch (CryptographicException e)
        {
            logger.LogError(e, "Signing {Name} {Version} failed; nothing was published", artifact.Name, artifact.Version);
            return TypedResults.Problem(statusCode: 503, title: "Signing failed", detail: "the update-signing repository could not sign; nothing was published");
        }
        await audit.RecordAsync("rollouts.artifact.publish", row.Id, new { row.Name, row.Version, row.Sha256, row.Size, row.TargetName, row.TargetsVersion });
        return TypedResults.Created(http.PluginLink($"/api/v1/artifacts/{row.Id}"), ArtifactView.From(row));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, string? name, string? deviceType, ICaller caller, ArtifactStore store)
    {
        var result = await store.ListAsync(caller.TeamId!, name, deviceType, page);
        return TypedResults.Ok(new Page<ArtifactView>(result.Items.Select(ArtifactView.From).ToList(), result.Total, result.Limit, result.Offset));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, ArtifactStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } row ? TypedResults.Ok(ArtifactView.From(row)) : TypedResults.NotFound();

    /// <summary>Metadata only: description, device types, labels. Name, version and payload are signed and immutable.</summary>
    private static async Task<IResult> PatchAsync(string id, ArtifactPatch patch, ICaller caller, ArtifactStore store, IAuditLog audit)
    {
        var errors = new FieldErrors();
        foreach (var key in patch.Other?.Keys.AsEnumerable() ?? [])
            errors.Add(key, "cannot be changed: name, version and payload are signed; only description, deviceTypes and labels are metadata");
        errors.Check((patch.Description?.Length ?? 0) <= 4000, "description", "must be at most 4,000 characters");
        if (patch.DeviceTypes is not null) CheckDeviceTypes(errors, patch.DeviceTypes, required: true);
        if (Names.CheckLabels(patch.Labels) is { } labelError) errors.Add("labels", labelError);
        if (errors.Any) return errors.ToProblem();
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        if (patch.Description is not null) row.Description = patch.Description;
        if (patch.DeviceTypes is not null) row.DeviceTypes = Json.Write(patch.DeviceTypes.Distinct().ToList());
        if (patch.Labels is not null) row.Labels = Json.Write(patch.Labels);
        await store.UpdateAsync(row);
        await audit.RecordAsync("rollouts.artifact.update", row.Id, patch);
        return TypedResults.Ok(ArtifactView.From(row));
    }
}
