using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Data.Registries;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// <c>POST/GET /registries</c>, <c>GET /registries/{id}</c>, browse <c>GET /registries/{id}/repositories</c> and
/// <c>GET /registries/{id}/tags?repository=</c>, and <c>POST /registries/{id}/import</c> (a manifest by tag or digest
/// published as a signed artifact).
/// </summary>
public sealed partial class RegistriesModule : ICarterModule
{
    public sealed record NewRegistry(string? Name, string? Url, string? Username, string? Password, bool? Verify);
    /// <summary>A repository or a tag of a registry, as the browse routes list them.</summary>
    public sealed record RegistryEntry(string Name);

    public sealed record ImportRequest(string? Repository, string? Tag, string? Digest, string? Name, string? Version, List<string>? DeviceTypes, string? Description);

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagName();

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}$")]
    private static partial Regex Digest();

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var registries = app.MapGroup("/api/v1/registries");
        registries.MapPost("/", CreateAsync).WithSummary("Add a container registry").Produces<RegistryView>(StatusCodes.Status201Created).RequirePermission("rollouts.registries.write");
        registries.MapGet("/", ListAsync).WithSummary("The team's registries").Produces<Page<RegistryView>>().RequirePermission("rollouts.registries.read");
        registries.MapGet("/{id}", GetAsync).WithSummary("One registry").Produces<RegistryView>().RequirePermission("rollouts.registries.read");
        registries.MapGet("/{id}/repositories", RepositoriesAsync).WithSummary("A registry's repositories").Produces<Page<RegistryEntry>>().RequirePermission("rollouts.registries.read");
        registries.MapGet("/{id}/tags", TagsAsync).WithSummary("A repository's tags").Produces<Page<RegistryEntry>>().RequirePermission("rollouts.registries.read");
        registries.MapPost("/{id}/import", ImportAsync).WithSummary("Import an image from a registry as an artifact").Produces<ArtifactView>(StatusCodes.Status201Created).RequirePermission("rollouts.artifacts.write");
    }

    private static IResult Problem(RegistryException e) => TypedResults.Problem(statusCode: e.Status, title: e.Status == 404 ? "Not Found" : "Registry error", detail: e.Message);

    private static async Task<IResult> CreateAsync(NewRegistry body, HttpContext http, ICaller caller, RegistryStore store, IAuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors()
            .Check(Names.IsValidName(body.Name), "name", "must be 1-63 letters, digits, '.', '-' or '_'")
            .Check(Uri.TryCreate(body.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.AbsolutePath == "/" && url.Query == "" && url.UserInfo == "",
                "url", "must be the registry's base URL, http(s)://host[:port]/ (no path, query or credentials)")
            .Check((body.Username?.Length ?? 0) <= 255 && !(body.Username ?? "").Contains(':'), "username", "must be at most 255 characters, without ':'")
            .Check((body.Password?.Length ?? 0) <= 4096, "password", "must be at most 4,096 characters");
        if (errors.Any) return errors.ToProblem();
        var row = store.Seal(new RegistryRow
        {
            Id = Ids.New(), TeamId = caller.TeamId!, Name = body.Name!, Url = url!.GetLeftPart(UriPartial.Authority) + "/", Username = body.Username ?? "",
            CreatedBy = caller.UserId, CreatedAt = clock.GetUtcNow(),
        }, body.Password);
        if (body.Verify ?? true)
        {
            try
            {
                using var client = store.Client(row);
                await client.CheckAsync(ct);
            }
            catch (RegistryException e)
            {
                return errors.Add("url", "the registry could not be used: " + e.Message).ToProblem();
            }
        }
        if (!await store.CreateAsync(row))
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"a registry named '{body.Name}' exists");
        await audit.RecordAsync("rollouts.registry.create", row.Id, new { row.Name, row.Url, row.Username });
        return TypedResults.Created(http.PluginLink($"/api/v1/registries/{row.Id}"), RegistryView.From(row));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, ICaller caller, RegistryStore store)
    {
        var rows = await store.ListAsync(caller.TeamId!, page);
        return TypedResults.Ok(new Page<RegistryView>(rows.Items.Select(RegistryView.From).ToList(), rows.Total, rows.Limit, rows.Offset));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, RegistryStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } row ? TypedResults.Ok(RegistryView.From(row)) : TypedResults.NotFound();

    private static async Task<IResult> RepositoriesAsync(string id, [AsParameters] PageRequest page, ICaller caller, RegistryStore store, CancellationToken ct)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        try
        {
            using var client = store.Client(row);
            return TypedResults.Ok(Paged(await client.RepositoriesAsync(ct), page));
        }
        catch (RegistryException e)
        {
            return Problem(e);
        }
    }

    private static async Task<IResult> TagsAsync(string id, string? repository, [AsParameters] PageRequest page, ICaller caller, RegistryStore store, CancellationToken ct)
    {
        if (repository is null || repository.Length > 255 || !RepositoryName().IsMatch(repository))
            return new FieldErrors().Add("repository", "must be a repository name (lower-case path components)").ToProblem();
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        try
        {
            using var client = store.Client(row);
            return TypedResults.Ok(Paged(await client.TagsAsync(repository, ct), page));
        }
        catch (RegistryException e)
        {
            return Problem(e);
        }
    }

    /// <summary>The registry's whole list, one page of it in the shape every list has.</summary>
    private static Page<RegistryEntry> Paged(IReadOnlyList<string> names, PageRequest page) =>
        new(names.Skip(page.Skip).Take(page.Take).Select(n => new RegistryEntry(n)).ToList(), names.Count, page.Take, page.Skip);

    private static async Task<IResult> ImportAsync(string id, ImportRequest body, HttpContext http, ICaller caller, RegistryStore store, ArtifactStore artifacts, IAuditLog audit,
        ILogger<RegistriesModule> logger, CancellationToken ct)
    {
        var errors = new FieldErrors()
            .Check(body.Repository is { Length: <= 255 } r && RepositoryName().IsMatch(r), "repository", "must be a repository name (lower-case path components)")
            .Check(body.Tag is not null ^ body.Digest is not null, "tag", "give exactly one of tag and digest")
            .Check(body.Tag is null || TagName().IsMatch(body.Tag), "tag", "is not a valid tag")
            .Check(body.Digest is null || Digest().IsMatch(body.Digest), "digest", "must be sha256:<64 hex>")
            .Check(body.Name is null || Names.IsValidName(body.Name), "name", "must be 1-63 letters, digits, '.', '-' or '_'")
            .Check(body.Version is null || ArtifactsModule.IsValidVersion(body.Version), "version", "must be 1-64 letters, digits, '.', '-', '_' or '+'")
            .Check((body.Description?.Length ?? 0) <= 4000, "description", "must be at most 4,000 characters");
        ArtifactsModule.CheckDeviceTypes(errors, body.DeviceTypes, required: true);
        var name = body.Name ?? body.Repository?.Split('/').Last();
        var version = body.Version ?? body.Tag;
        if (version is null) errors.Add("version", "is required when importing by digest");
        if (name is not null && !Names.IsValidName(name)) errors.Add("name", "give a name: the repository's last component is not a valid artifact name");
        if (errors.Any) return errors.ToProblem();
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        (byte[] Data, string MediaType, string Digest) manifest;
        try
        {
            using var client = store.Client(row);
            manifest = await client.ManifestAsync(body.Repository!, body.Digest ?? body.Tag!, 4 * 1024 * 1024, ct);
        }
        catch (RegistryException e)
        {
            return Problem(e);
        }
        var source = new JsonObject
        {
            ["kind"] = "registry", ["registryId"] = row.Id, ["registry"] = row.Url, ["repository"] = body.Repository, ["tag"] = body.Tag,
            ["digest"] = manifest.Digest, ["mediaType"] = manifest.MediaType,
        };
        return await ArtifactsModule.PublishAsync(http, artifacts, audit, logger, new NewArtifact(caller.TeamId!, caller.UserId, name!, version!, body.DeviceTypes!.Distinct().ToList(),
            body.Description ?? $"{body.Repository}@{manifest.Digest}", [], "manifest.json", manifest.MediaType, source), manifest.Data, ct);
    }
}
