using System.Data.Common;
using System.Text;
using Dapper;
using Edgeplane.Plugins.Rollouts.Data.Ca;

namespace Edgeplane.Plugins.Rollouts.Data.Registries;

public sealed class RegistryRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public string Username { get; set; } = "";
    public byte[]? EncryptedPassword { get; set; }
    public string KekId { get; set; } = "";
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record RegistryView(string Id, string Name, string Url, string Username, bool HasPassword, string? CreatedBy, DateTimeOffset CreatedAt)
{
    public static RegistryView From(RegistryRow r) => new(r.Id, r.Name, r.Url, r.Username, r.EncryptedPassword is not null, r.CreatedBy, r.CreatedAt);
}

/// <summary>
/// Registries a team imports from. The password is needed to call the registry, so it cannot be a hash: it is sealed
/// with <see cref="KeyProtector"/> (AES-256-GCM, the registry id as associated data) and never returned.
/// </summary>
public sealed class RegistryStore(IDbConnectionFactory db, KeyProtector protector)
{
    private const string Columns = "id AS Id, team_id AS TeamId, name AS Name, url AS Url, username AS Username, encrypted_password AS EncryptedPassword, kek_id AS KekId, created_by AS CreatedBy, created_at AS CreatedAt";

    public RegistryRow Seal(RegistryRow row, string? password)
    {
        row.EncryptedPassword = string.IsNullOrEmpty(password) ? null : protector.Protect(Encoding.UTF8.GetBytes(password), "registry:" + row.Id);
        row.KekId = protector.KeyId;
        return row;
    }

    public string? Password(RegistryRow row)
    {
        if (row.EncryptedPassword is null) return null;
        if (row.KekId != protector.KeyId) throw new RegistryException(500, "the registry password was sealed with another key-encryption key");
        return Encoding.UTF8.GetString(protector.Unprotect(row.EncryptedPassword, "registry:" + row.Id));
    }

    public RegistryClient Client(RegistryRow row) => new(new Uri(row.Url), row.Username, Password(row));

    /// <summary>Adds the registry; false when the team has one of that name.</summary>
    public async Task<bool> CreateAsync(RegistryRow row)
    {
        await using var conn = await db.OpenAsync();
        try
        {
            await conn.ExecuteAsync("""
                INSERT INTO rollouts_registries (id, team_id, name, url, username, encrypted_password, kek_id, created_by, created_at)
                VALUES (@Id, @TeamId, @Name, @Url, @Username, @EncryptedPassword, @KekId, @CreatedBy, @CreatedAt)
                """, row);
            return true;
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<RegistryRow?> FindAsync(string teamId, string id)
    {
        await using var conn = await db.OpenAsync();
        return await conn.QuerySingleOrDefaultAsync<RegistryRow>($"SELECT {Columns} FROM rollouts_registries WHERE team_id = @teamId AND id = @id", new { teamId, id });
    }

    public async Task<Page<RegistryRow>> ListAsync(string teamId, PageRequest page)
    {
        await using var conn = await db.OpenAsync();
        var rows = (await conn.QueryAsync<RegistryRow>($"SELECT {Columns} FROM rollouts_registries WHERE team_id = @teamId ORDER BY name {db.Dialect.Paging()}",
            new { teamId, limit = page.Take, offset = page.Skip })).ToList();
        var total = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rollouts_registries WHERE team_id = @teamId", new { teamId });
        return new Page<RegistryRow>(rows, total, page.Take, page.Skip);
    }
}
