using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Edgeplane.Plugins.Rollouts.Tuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// The update-signing repository over HTTP for TUF clients: <c>/tuf/{n}.root.json</c>, <c>/tuf/timestamp.json</c>,
/// <c>/tuf/{n}.snapshot.json</c>, <c>/tuf/{n}.targets.json</c> (anonymous: signed public metadata), and
/// <c>/tuf/targets/{teamId}/{artifactId}/{sha256}.{file}</c> (the payload: only for the owning team's callers with
/// <c>rollouts.artifacts.read</c>; devices fetch targets over their mTLS listener). Plus the operator's status and rotation.
/// </summary>
public sealed partial class TufModule : ICarterModule
{
    public sealed record RotateRequest(List<string>? Roles);

    /// <summary>Each role's current version and expiry (null before the repository exists), the root's role keys, and where the metadata is served.</summary>
    public sealed record TufStatus(TufRoleStatus? Root, TufRoleStatus? Targets, TufRoleStatus? Snapshot, TufRoleStatus? Timestamp,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? Keys, string MetadataPath);

    public sealed record TufRoleStatus(long Version, string Expires);

    /// <summary>A signed TUF metadata document as served (its bytes are the stored ones: the signatures cover them).</summary>
    public sealed record TufSignedDocument(IReadOnlyList<TufSignature> Signatures, JsonObject Signed);

    public sealed record TufSignature(string Keyid, string Sig);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/tuf/{file}", MetadataAsync).WithSummary("Signed TUF metadata (root, timestamp, snapshot, targets)").Produces<TufSignedDocument>().AllowAnonymous().DisableRequestAudit();
        app.MapGet("/tuf/targets/{**path}", TargetAsync).WithSummary("A TUF target's payload (the owning team's)").Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream").RequirePermission("rollouts.artifacts.read");
        app.MapGet("/api/v1/tuf", StatusAsync).WithSummary("The TUF repository's versions, expiries and role keys").Produces<TufStatus>().RequirePermission("rollouts.artifacts.read");
        app.MapPost("/api/v1/tuf/rotate", RotateAsync).WithSummary("Rotate TUF role keys, with a new signed root (host admin)").Produces<TufVersions>().RequirePermission("rollouts.tuf.rotate").RequireHostAdmin();
    }

    [GeneratedRegex(@"^(?:(?<version>[1-9][0-9]{0,17})\.)?(?<role>root|targets|snapshot|timestamp)\.json$")]
    private static partial Regex MetadataFile();

    internal static async Task<IResult> MetadataAsync(string file, TufRepository tuf, HttpContext http, CancellationToken ct)
    {
        var match = MetadataFile().Match(file);
        if (!match.Success) return TypedResults.NotFound();
        var role = match.Groups["role"].Value;
        long? version = match.Groups["version"].Success ? long.Parse(match.Groups["version"].Value) : null;
        if (role == "timestamp" && version is not null) return TypedResults.NotFound();
        if (await tuf.GetAsync(role, version, ct) is not { } row) return TypedResults.NotFound();
        http.Response.Headers.CacheControl = version is null ? "no-cache" : "public, max-age=300";
        return TypedResults.Bytes(Encoding.UTF8.GetBytes(row.Document), "application/json");
    }

    /// <summary>Splits <c>{dir}/{sha256}.{file}</c> into the target name and the hash.</summary>
    internal static (string Name, string Sha256)? ParseTargetPath(string path)
    {
        var slash = path.LastIndexOf('/');
        var last = path[(slash + 1)..];
        var dot = last.IndexOf('.');
        if (dot != 64 || !last[..64].All(Uri.IsHexDigit)) return null;
        return (path[..(slash + 1)] + last[65..], last[..64].ToLowerInvariant());
    }

    private static async Task<IResult> TargetAsync(string path, ICaller caller, TufRepository tuf, CancellationToken ct)
    {
        if (ParseTargetPath(path) is not { } parsed) return TypedResults.NotFound();
        if (await tuf.FindTargetAsync(parsed.Name, ct) is not { } target || target.Sha256 != parsed.Sha256 || target.TeamId != caller.TeamId) return TypedResults.NotFound();
        var data = await tuf.PayloadAsync(target.Sha256, ct);
        return data is null ? TypedResults.NotFound() : TypedResults.Bytes(data, "application/octet-stream");
    }

    private static async Task<IResult> StatusAsync(TufRepository tuf, CancellationToken ct)
    {
        async Task<TufRoleStatus?> RoleAsync(string role) => await tuf.GetAsync(role, null, ct) is { } row ? new TufRoleStatus(row.Version, row.ExpiresAt.ToString("O")) : null;
        var root = await tuf.GetAsync("root", null, ct);
        var keys = root is null ? null : JsonNode.Parse(root.Document)!["signed"]!["roles"]!.DeepClone();
        return TypedResults.Ok(new TufStatus(await RoleAsync("root"), await RoleAsync("targets"), await RoleAsync("snapshot"), await RoleAsync("timestamp"), keys, "tuf/"));
    }

    /// <summary>New keys for the given roles (default all), a new root signed by old and new root keys. The repository serves every team: host administrators only.</summary>
    private static async Task<IResult> RotateAsync(RotateRequest? body, TufRepository tuf, IAuditLog audit, ILogger<TufModule> logger, CancellationToken ct)
    {
        var roles = body?.Roles ?? [.. TufMetadata.Roles];
        var errors = new FieldErrors().Check(roles.Count > 0 && roles.All(r => TufMetadata.Roles.Contains(r)), "roles", "must be some of root, targets, snapshot, timestamp");
        if (errors.Any) return errors.ToProblem();
        TufVersions versions;
        try
        {
            versions = await tuf.RotateAsync(roles.Distinct().ToList(), ct);
        }
        catch (CryptographicException e) // a sealed key this host cannot open: the repository is unchanged
        {
            logger.LogError(e, "Rotating the update-signing keys failed; nothing was changed");
            return TypedResults.Problem(statusCode: 503, title: "Signing failed", detail: "the update-signing repository could not sign; nothing was changed");
        }
        await audit.RecordAsync("rollouts.tuf.rotate", "tuf", new { roles, versions });
        return TypedResults.Ok(versions);
    }
}
