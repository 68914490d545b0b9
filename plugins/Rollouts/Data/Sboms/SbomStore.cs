using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Sboms;

public sealed class SbomRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string ArtifactId { get; set; } = "";
    public string Format { get; set; } = "";
    public string SpecVersion { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public int Components { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record SbomView(string Id, string ArtifactId, string Format, string SpecVersion, string ContentType, string Sha256, int Components,
    string? CreatedBy, DateTimeOffset CreatedAt)
{
    public static SbomView From(SbomRow r) => new(r.Id, r.ArtifactId, r.Format, r.SpecVersion, SbomFormats.ContentType(r.Format), r.Sha256, r.Components, r.CreatedBy, r.CreatedAt);
}

/// <summary>SBOM documents attached to artifacts (<c>rollouts_sboms</c>) and their components (<c>rollouts_sbom_components</c>, written with the document).</summary>
public sealed class SbomStore(IDbConnectionFactory db, TimeProvider clock)
{
    private const string Columns = "id AS Id, team_id AS TeamId, artifact_id AS ArtifactId, format AS Format, spec_version AS SpecVersion, sha256 AS Sha256, components AS Components, created_by AS CreatedBy, created_at AS CreatedAt";

    public async Task<SbomRow> AttachAsync(string teamId, string artifactId, string? userId, ParsedSbom parsed, string document)
    {
        var now = clock.GetUtcNow();
        var row = new SbomRow
        {
            Id = Ids.New(now), TeamId = teamId, ArtifactId = artifactId, Format = parsed.Format, SpecVersion = parsed.SpecVersion,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document))), Components = parsed.Components.Count, CreatedBy = userId, CreatedAt = now,
        };
        await using var conn = await db.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO rollouts_sboms (id, team_id, artifact_id, format, spec_version, document, sha256, components, created_by, created_at)
            VALUES (@Id, @TeamId, @ArtifactId, @Format, @SpecVersion, @document, @Sha256, @Components, @CreatedBy, @CreatedAt)
            """, new { row.Id, row.TeamId, row.ArtifactId, row.Format, row.SpecVersion, document, row.Sha256, row.Components, row.CreatedBy, row.CreatedAt }, tx);
        await conn.ExecuteAsync("""
            INSERT INTO rollouts_sbom_components (id, sbom_id, team_id, artifact_id, name, version, purl)
            VALUES (@id, @sbom, @team, @artifact, @Name, @Version, @Purl)
            """, parsed.Components.Select(c => new { id = Ids.New(now), sbom = row.Id, team = teamId, artifact = artifactId, c.Name, c.Version, c.Purl }), tx);
        await tx.CommitAsync();
        return row;
    }

    public async Task<IReadOnlyList<SbomRow>> ListAsync(string teamId, string artifactId)
    {
        await using var conn = await db.OpenAsync();
        return (await conn.QueryAsync<SbomRow>($"SELECT {Columns} FROM rollouts_sboms WHERE team_id = @teamId AND artifact_id = @artifactId ORDER BY created_at, id",
            new { teamId, artifactId })).ToList();
    }

    public async Task<(SbomRow Row, string Document)?> FindAsync(string teamId, string artifactId, string id)
    {
        await using var conn = await db.OpenAsync();
        var row = await conn.QuerySingleOrDefaultAsync<SbomRow>($"SELECT {Columns} FROM rollouts_sboms WHERE team_id = @teamId AND artifact_id = @artifactId AND id = @id",
            new { teamId, artifactId, id });
        if (row is null) return null;
        var document = await conn.ExecuteScalarAsync<string>("SELECT document FROM rollouts_sboms WHERE id = @id", new { id });
        return (row, document!);
    }

    public async Task<Page<SbomComponent>> ComponentsAsync(string sbomId, PageRequest page)
    {
        await using var conn = await db.OpenAsync();
        var items = (await conn.QueryAsync<SbomComponent>($"SELECT name AS Name, version AS Version, purl AS Purl FROM rollouts_sbom_components WHERE sbom_id = @sbomId ORDER BY name, version, id {db.Dialect.Paging()}",
            new { sbomId, limit = page.Take, offset = page.Skip })).ToList();
        var total = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_sbom_components WHERE sbom_id = @sbomId", new { sbomId });
        return new Page<SbomComponent>(items, total, page.Take, page.Skip);
    }
}
