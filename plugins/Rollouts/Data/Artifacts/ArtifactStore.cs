using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dapper;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Data.Tuf;

namespace Edgeplane.Plugins.Rollouts.Data.Artifacts;

public sealed class ArtifactRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
    public string DeviceTypes { get; set; } = "[]";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public string TargetName { get; set; } = "";
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string Description { get; set; } = "";
    public string Labels { get; set; } = "{}";
    public string Source { get; set; } = "{}";
    public long TargetsVersion { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record ArtifactTarget(string Name, string Path, long TargetsVersion);

public sealed record ArtifactView(string Id, string Name, string Version, IReadOnlyList<string> DeviceTypes, long Size, string Sha256, string FileName,
    string ContentType, string Description, Dictionary<string, string> Labels, ArtifactTarget Target, JsonNode? Source, string? CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ArtifactView From(ArtifactRow r) => new(r.Id, r.Name, r.Version, Json.Read<List<string>>(r.DeviceTypes), r.Size, r.Sha256, r.FileName,
        r.ContentType, r.Description, Json.Map(r.Labels),
        new ArtifactTarget(r.TargetName, TargetPath(r.TargetName, r.Sha256), r.TargetsVersion), Json.Node(r.Source), r.CreatedBy, r.CreatedAt, r.UpdatedAt);

    /// <summary>The consistent-snapshot path of a target under <c>/tuf/targets/</c>: <c>{dir}/{sha256}.{file}</c>.</summary>
    public static string TargetPath(string targetName, string sha256)
    {
        var slash = targetName.LastIndexOf('/');
        return $"{targetName[..(slash + 1)]}{sha256}.{targetName[(slash + 1)..]}";
    }
}

/// <summary>What to publish: the repository gets the payload first, then the record is written.</summary>
public sealed record NewArtifact(string TeamId, string? UserId, string Name, string Version, IReadOnlyList<string> DeviceTypes, string Description,
    Dictionary<string, string> Labels, string FileName, string ContentType, JsonObject Source);

public sealed class ArtifactConflictException(string message) : Exception(message);

/// <summary>Artifacts: published through <see cref="TufRepository"/> (no unsigned path), metadata in <c>rollouts_artifacts</c>.</summary>
public sealed class ArtifactStore(IDbConnectionFactory db, TufRepository tuf, TimeProvider clock)
{
    private const string Columns = """
        id AS Id, team_id AS TeamId, name AS Name, version AS Version, device_types AS DeviceTypes, size AS Size, sha256 AS Sha256,
        target_name AS TargetName, file_name AS FileName, content_type AS ContentType, description AS Description, labels AS Labels,
        source AS Source, targets_version AS TargetsVersion, created_by AS CreatedBy, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<ArtifactRow> PublishAsync(NewArtifact a, byte[] payload, CancellationToken ct)
    {
        if (await FindByNameAsync(a.TeamId, a.Name, a.Version) is not null)
            throw new ArtifactConflictException($"artifact {a.Name} {a.Version} exists");
        var now = clock.GetUtcNow();
        var row = new ArtifactRow
        {
            Id = Ids.New(now), TeamId = a.TeamId, Name = a.Name, Version = a.Version, DeviceTypes = Json.Write(a.DeviceTypes), Size = payload.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(payload)), FileName = a.FileName, ContentType = a.ContentType, Description = a.Description,
            Labels = Json.Write(a.Labels), Source = a.Source.ToJsonString(), CreatedBy = a.UserId, CreatedAt = now, UpdatedAt = now,
        };
        row.TargetName = $"{a.TeamId}/{row.Id}/{a.FileName}";
        var target = new TufTarget(row.TargetName, a.TeamId, row.Size, row.Sha256, new JsonObject { ["artifact"] = row.Id });
        try
        {
            await tuf.AddTargetAsync(target, payload, async (conn, tx, versions) =>
            {
                row.TargetsVersion = versions.Targets;
                await conn.ExecuteAsync("""
                    INSERT INTO rollouts_artifacts (id, team_id, name, version, device_types, size, sha256, target_name, file_name, content_type,
                      description, labels, source, targets_version, created_by, created_at, updated_at)
                    VALUES (@Id, @TeamId, @Name, @Version, @DeviceTypes, @Size, @Sha256, @TargetName, @FileName, @ContentType,
                      @Description, @Labels, @Source, @TargetsVersion, @CreatedBy, @CreatedAt, @UpdatedAt)
                    """, row, tx);
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            throw new ArtifactConflictException($"artifact {a.Name} {a.Version} exists");
        }
        return row;
    }

    public async Task<ArtifactRow?> FindAsync(string teamId, string id)
    {
        await using var conn = await db.OpenAsync();
        return await conn.QuerySingleOrDefaultAsync<ArtifactRow>($"SELECT {Columns} FROM rollouts_artifacts WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<ArtifactRow?> FindByNameAsync(string teamId, string name, string version)
    {
        await using var conn = await db.OpenAsync();
        return await conn.QuerySingleOrDefaultAsync<ArtifactRow>($"SELECT {Columns} FROM rollouts_artifacts WHERE team_id = @teamId AND name = @name AND version = @version",
            new { teamId, name, version });
    }

    public async Task<Page<ArtifactRow>> ListAsync(string teamId, string? name, string? deviceType, PageRequest page)
    {
        await using var conn = await db.OpenAsync();
        var where = "team_id = @teamId" + (name is null ? "" : " AND name = @name");
        if (deviceType is null)
        {
            var rows = (await conn.QueryAsync<ArtifactRow>($"SELECT {Columns} FROM rollouts_artifacts WHERE {where} ORDER BY created_at DESC, id DESC {db.Dialect.Paging()}",
                new { teamId, name, limit = page.Take, offset = page.Skip })).ToList();
            var total = await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM rollouts_artifacts WHERE {where}", new { teamId, name });
            return new Page<ArtifactRow>(rows, total, page.Take, page.Skip);
        }
        var all = (await conn.QueryAsync<ArtifactRow>($"SELECT {Columns} FROM rollouts_artifacts WHERE {where} ORDER BY created_at DESC, id DESC", new { teamId, name }))
            .Where(r => Json.Read<List<string>>(r.DeviceTypes).Contains(deviceType)).ToList();
        return new Page<ArtifactRow>(all.Skip(page.Skip).Take(page.Take).ToList(), all.Count, page.Take, page.Skip);
    }

    public async Task UpdateAsync(ArtifactRow row)
    {
        row.UpdatedAt = clock.GetUtcNow();
        await using var conn = await db.OpenAsync();
        await conn.ExecuteAsync("UPDATE rollouts_artifacts SET description = @Description, labels = @Labels, device_types = @DeviceTypes, updated_at = @UpdatedAt WHERE id = @Id", row);
    }
}
