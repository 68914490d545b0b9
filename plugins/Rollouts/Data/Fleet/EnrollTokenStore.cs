using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

public sealed class EnrollTokenRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Prefix { get; set; } = "";
    public string? GroupId { get; set; }
    public string Labels { get; set; } = "{}";
    public long? MaxUses { get; set; }
    public long Uses { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary><c>active</c>, <c>revoked</c>, <c>expired</c> or <c>exhausted</c>.</summary>
    public string StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? "revoked" : ExpiresAt <= now ? "expired" : MaxUses is { } max && Uses >= max ? "exhausted" : "active";
}

public sealed record EnrollTokenView(string Id, string Name, string Prefix, string? GroupId, Dictionary<string, string> Labels, long? MaxUses, long Uses,
    DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, string State)
{
    public static EnrollTokenView From(EnrollTokenRow r, DateTimeOffset now) =>
        new(r.Id, r.Name, r.Prefix, r.GroupId, Json.Map(r.Labels), r.MaxUses, r.Uses, r.ExpiresAt, r.RevokedAt, r.CreatedAt, r.LastUsedAt, r.StateAt(now));
}

/// <summary>Enrollment tokens: the secret is shown once at creation; only its SHA-256 is stored.</summary>
public sealed class EnrollTokenStore(IDbConnectionFactory db)
{
    internal const string Columns = "id AS Id, team_id AS TeamId, name AS Name, prefix AS Prefix, group_id AS GroupId, labels AS Labels, max_uses AS MaxUses, uses AS Uses, " +
        "expires_at AS ExpiresAt, revoked_at AS RevokedAt, created_by AS CreatedBy, created_at AS CreatedAt, last_used_at AS LastUsedAt";

    public async Task<(EnrollTokenRow Row, string Secret)> CreateAsync(string teamId, string? userId, string name, string? groupId,
        Dictionary<string, string> labels, long? maxUses, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var secret = Secrets.Generate("ept_");
        var row = new EnrollTokenRow
        {
            Id = Ids.New(now), TeamId = teamId, Name = name, Prefix = secret[..12], GroupId = groupId, Labels = Json.Write(labels),
            MaxUses = maxUses, Uses = 0, ExpiresAt = expiresAt, CreatedBy = userId, CreatedAt = now,
        };
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO rollouts_enroll_tokens (id, team_id, name, token_hash, prefix, group_id, labels, max_uses, uses, expires_at, created_by, created_at) " +
            "VALUES (@Id, @TeamId, @Name, @hash, @Prefix, @GroupId, @Labels, @MaxUses, 0, @ExpiresAt, @CreatedBy, @CreatedAt)",
            new { row.Id, row.TeamId, row.Name, hash = Secrets.Hash(secret), row.Prefix, row.GroupId, row.Labels, row.MaxUses, row.ExpiresAt, row.CreatedBy, row.CreatedAt });
        return (row, secret);
    }

    public async Task<Page<EnrollTokenRow>> ListAsync(string teamId, PageRequest page)
    {
        await using var connection = await db.OpenAsync();
        var items = await connection.QueryAsync<EnrollTokenRow>(
            $"SELECT {Columns} FROM rollouts_enroll_tokens WHERE team_id = @teamId ORDER BY id DESC {db.Dialect.Paging()}",
            new { teamId, limit = page.Take, offset = page.Skip });
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_enroll_tokens WHERE team_id = @teamId", new { teamId });
        return new Page<EnrollTokenRow>(items.ToList(), total, page.Take, page.Skip);
    }

    public async Task<EnrollTokenRow?> FindAsync(string teamId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<EnrollTokenRow>(
            $"SELECT {Columns} FROM rollouts_enroll_tokens WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<bool> RevokeAsync(string teamId, string id, DateTimeOffset now)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync(
            "UPDATE rollouts_enroll_tokens SET revoked_at = @now WHERE team_id = @teamId AND id = @id AND revoked_at IS NULL", new { teamId, id, now }) == 1;
    }
}
