using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Identity;

/// <summary>Looks up presented API keys and session tokens; creates and ends sessions.</summary>
public sealed class CredentialStore(DbConnectionFactory connections, TimeProvider clock, ApiKeyCache cache)
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The key when it exists, is not revoked or expired, and its user is enabled and still in the team. It acts with
    /// its own role in its own team, and as host admin only when minted so and its user still is one.
    /// </summary>
    public async Task<ResolvedKey?> ResolveApiKeyAsync(string plaintext, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(plaintext);
        if (!cache.TryGet(hash, out var key))
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            key = await connection.QuerySingleOrDefaultAsync<ResolvedKey>(
                "SELECT k.id AS KeyId, k.user_id AS UserId, u.username AS Username, k.team_id AS TeamId, k.role AS Role, m.role AS MemberRole, " +
                "k.is_host_admin AS KeyHostAdmin, u.is_host_admin AS UserHostAdmin, u.enabled AS Enabled, k.expires_at AS ExpiresAt, k.revoked_at AS RevokedAt, k.last_used_at AS LastUsedAt " +
                "FROM host_api_keys k JOIN host_users u ON u.id = k.user_id " +
                "LEFT JOIN host_memberships m ON m.team_id = k.team_id AND m.user_id = k.user_id WHERE k.key_hash = @hash", new { hash });
            var now = clock.GetUtcNow();
            if (key is not null && (key.LastUsedAt is null || key.LastUsedAt < now - LastUsedResolution))
            {
                await connection.ExecuteAsync("UPDATE host_api_keys SET last_used_at = @now WHERE id = @KeyId", new { now, key.KeyId });
                key.LastUsedAt = now;
            }
            cache.Set(hash, key);
        }
        if (key is null || key.RevokedAt is not null || !key.Enabled) return null;
        if (key.ExpiresAt is { } expires && expires <= clock.GetUtcNow()) return null;
        // A host admin may act in any team; anyone else's key never holds more than its user holds in the team today.
        if (key.UserHostAdmin) return key;
        if (key.MemberRole is null) return null;
        if (Roles.Rank(key.MemberRole) < Roles.Rank(key.Role)) key.Role = key.MemberRole;
        return key;
    }

    public async Task<(string Token, string Csrf, DateTimeOffset ExpiresAt)> CreateSessionAsync(string userId, string teamId, CancellationToken cancellationToken)
    {
        var token = Secrets.Generate("eps_");
        var csrf = Secrets.Generate("");
        var now = clock.GetUtcNow();
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO host_sessions (id, token_hash, csrf_hash, user_id, team_id, created_at, expires_at) VALUES (@id, @token, @csrf, @userId, @teamId, @now, @expires)",
            new { id = Ids.New(now), token = Secrets.Hash(token), csrf = Secrets.Hash(csrf), userId, teamId, now, expires = now + SessionLifetime });
        return (token, csrf, now + SessionLifetime);
    }

    public async Task<SessionRow?> ResolveSessionAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var session = await connection.QuerySingleOrDefaultAsync<SessionRow>(
            "SELECT s.id AS Id, s.csrf_hash AS CsrfHash, s.user_id AS UserId, u.username AS Username, s.team_id AS TeamId, m.role AS Role, " +
            "u.is_host_admin AS IsHostAdmin, u.enabled AS Enabled, s.expires_at AS ExpiresAt, s.revoked_at AS RevokedAt " +
            "FROM host_sessions s JOIN host_users u ON u.id = s.user_id " +
            "LEFT JOIN host_memberships m ON m.team_id = s.team_id AND m.user_id = s.user_id WHERE s.token_hash = @hash",
            new { hash = Secrets.Hash(token) });
        if (session is null || session.RevokedAt is not null || !session.Enabled || session.ExpiresAt <= clock.GetUtcNow()) return null;
        if (session.Role is null && !session.IsHostAdmin) return null;
        return session;
    }

    public async Task EndSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE host_sessions SET revoked_at = @now WHERE id = @sessionId", new { sessionId, now = clock.GetUtcNow() });
    }

    public sealed class SessionRow
    {
        public string Id { get; set; } = "";
        public string CsrfHash { get; set; } = "";
        public string UserId { get; set; } = "";
        public string Username { get; set; } = "";
        public string TeamId { get; set; } = "";
        public string? Role { get; set; }
        public bool IsHostAdmin { get; set; }
        public bool Enabled { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }
        public DateTimeOffset? RevokedAt { get; set; }
    }
}
