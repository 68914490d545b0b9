using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace Edgeplane.Plugins.Dns.Data;

/// <summary>Each user's IP ACL (<c>dns_user_acl</c>): the addresses and prefixes the user's keys are accepted from.</summary>
public sealed class AclStore(IDbConnectionFactory db, TimeProvider clock)
{
    /// <summary>How long the request filter trusts an ACL it read (as the host trusts a resolved API key): a change through another host is seen within it.</summary>
    public static readonly TimeSpan CheckedLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (List<string> Entries, DateTimeOffset Until)> _checked = new();
    // Moved by every change through this host: a read that started before a change is not kept.
    private long _changes;

    /// <summary>
    /// The user's ACL as every API-key request checks it: read from the database at most once every <see cref="CheckedLifetime"/>
    /// per user instead of once per request; a change through this host is seen by the next request.
    /// </summary>
    public async ValueTask<List<string>> CheckedAclAsync(string userId, CancellationToken ct = default)
    {
        if (_checked.TryGetValue(userId, out var known) && known.Until > clock.GetUtcNow()) return known.Entries;
        var changes = Interlocked.Read(ref _changes);
        var entries = await ListAclAsync(userId, ct);
        if (_checked.Count > 100_000) _checked.Clear();
        if (Interlocked.Read(ref _changes) == changes) _checked[userId] = (entries, clock.GetUtcNow() + CheckedLifetime);
        return entries;
    }

    private void Changed(string userId)
    {
        Interlocked.Increment(ref _changes);
        _checked.TryRemove(userId, out _);
    }

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
        finally
        {
            Changed(userId);
        }
        return true;
    }

    public async Task<bool> RemoveAclAsync(string userId, string entry, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        try
        {
            return await c.ExecuteAsync("DELETE FROM dns_user_acl WHERE user_id = @userId AND entry = @entry", new { userId, entry }) > 0;
        }
        finally
        {
            Changed(userId);
        }
    }

    /// <summary>Removes every entry of the user's ACL; returns how many there were.</summary>
    public async Task<int> ClearAclAsync(string userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        try
        {
            return await c.ExecuteAsync("DELETE FROM dns_user_acl WHERE user_id = @userId", new { userId });
        }
        finally
        {
            Changed(userId);
        }
    }
}
