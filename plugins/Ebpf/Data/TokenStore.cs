using Dapper;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>Enrollment tokens (<c>ebpf_enrollment_tokens</c>): issued per team, used by agents to enroll their node.</summary>
public sealed class TokenStore(IDbConnectionFactory db)
{
    internal const string Columns =
        "id AS Id, team_id AS TeamId, name AS Name, prefix AS Prefix, created_by AS CreatedBy, created_at AS CreatedAt, " +
        "expires_at AS ExpiresAt, max_uses AS MaxUses, uses AS Uses, last_used_at AS LastUsedAt, revoked_at AS RevokedAt";

    private string Paging => db.Dialect.Paging("@limit", "@offset");

    public async Task InsertAsync(TokenRow token, string tokenHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO ebpf_enrollment_tokens (id, team_id, name, prefix, token_hash, created_by, created_at, expires_at, max_uses, uses, last_used_at, revoked_at) " +
            "VALUES (@Id, @TeamId, @Name, @Prefix, @tokenHash, @CreatedBy, @CreatedAt, @ExpiresAt, @MaxUses, 0, NULL, NULL)",
            new { token.Id, token.TeamId, token.Name, token.Prefix, tokenHash, token.CreatedBy, token.CreatedAt, token.ExpiresAt, token.MaxUses },
            cancellationToken: ct));
    }

    public async Task<Page<TokenRow>> ListAsync(string teamId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ebpf_enrollment_tokens WHERE team_id = @teamId", new { teamId }, cancellationToken: ct));
        var rows = await c.QueryAsync<TokenRow>(new CommandDefinition(
            $"SELECT {Columns} FROM ebpf_enrollment_tokens WHERE team_id = @teamId ORDER BY created_at DESC, id DESC {Paging}",
            new { teamId, limit = page.Take, offset = page.Skip }, cancellationToken: ct));
        return new Page<TokenRow>(rows.ToList(), total, page.Take, page.Skip);
    }

    public async Task<TokenRow?> GetAsync(string teamId, string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"SELECT {Columns} FROM ebpf_enrollment_tokens WHERE team_id = @teamId AND id = @id", new { teamId, id }, cancellationToken: ct));
    }

    public async Task<bool> RevokeAsync(string teamId, string id, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ebpf_enrollment_tokens SET revoked_at = @now WHERE team_id = @teamId AND id = @id AND revoked_at IS NULL",
            new { teamId, id, now }, cancellationToken: ct)) > 0;
    }
}
