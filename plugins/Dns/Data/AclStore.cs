using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>Each user's IP ACL (<c>dns_user_acl</c>): the addresses and prefixes the user's keys are accepted from.</summary>
public sealed class AclStore(IDbConnectionFactory db, TimeProvider clock)
{
    public async Task<List<string>> ListAclAsync(string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>("SELECT entry FROM dns_user_acl WHERE user_id = @userId ORDER BY created_at, entry", new { userId })).ToList();
    }

    public async Task<bool> AddAclAsync(string userId, string entry, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dns_user_acl WHERE user_id = @userId AND entry = @entry", new { userId, entry }) > 0) return false;
        try
        {
            await c.ExecuteAsync("INSERT INTO dns_user_acl (user_id, entry, created_at) VALUES (@userId, @entry, @now)", new { userId, entry, now = clock.GetUtcNow() });
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
        return true;
    }

    public async Task<bool> RemoveAclAsync(string userId, string entry, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM dns_user_acl WHERE user_id = @userId AND entry = @entry", new { userId, entry }) > 0;
    }

    /// <summary>Removes every entry of the user's ACL; returns how many there were.</summary>
    public async Task<int> ClearAclAsync(string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync("DELETE FROM dns_user_acl WHERE user_id = @userId", new { userId });
    }
}
