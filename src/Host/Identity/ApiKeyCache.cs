using System.Collections.Concurrent;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Resolved API keys for a few seconds, so a busy key costs one SHA-256 per request rather than a
/// query. Revocation on this instance clears it at once; other instances see it within <see cref="Lifetime"/>.
/// </summary>
public sealed class ApiKeyCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (ResolvedKey? Key, DateTimeOffset Until)> _entries = new();

    public bool TryGet(string hash, out ResolvedKey? key)
    {
        key = null;
        if (!_entries.TryGetValue(hash, out var entry) || entry.Until < clock.GetUtcNow()) return false;
        key = entry.Key;
        return true;
    }

    public void Set(string hash, ResolvedKey? key)
    {
        if (_entries.Count > 100_000) _entries.Clear();
        _entries[hash] = (key, clock.GetUtcNow() + Lifetime);
    }

    public void Clear() => _entries.Clear();
}

/// <summary>An API key with its user and effective role, as authentication needs it.</summary>
public sealed class ResolvedKey
{
    public string KeyId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string Username { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Role { get; set; } = "";
    public string? MemberRole { get; set; }
    public bool KeyHostAdmin { get; set; }
    public bool UserHostAdmin { get; set; }
    /// <summary>Administers the host: a key minted as a host-admin key whose user is still a host admin.</summary>
    public bool IsHostAdmin => KeyHostAdmin && UserHostAdmin;
    public bool Enabled { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
