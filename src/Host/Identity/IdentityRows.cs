using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

// Dapper fills settable properties with conversions (SQLite integers to bool, text to timestamps);
// positional records would need exact column types, which differ between providers.

internal sealed class UserRow
{
    public string Id { get; set; } = "";
    public string Username { get; set; } = "";
    public string? Email { get; set; }
    public bool IsHostAdmin { get; set; }
    public bool Enabled { get; set; }
    public string PersonalTeamId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public UserInfo ToInfo() => new(Id, Username, Email, IsHostAdmin, Enabled, PersonalTeamId, CreatedAt);
}

internal sealed class ApiKeyRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Prefix { get; set; } = "";
    public string UserId { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Role { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public bool HostAdmin { get; set; }
    public bool Login { get; set; }

    public ApiKeyInfo ToInfo() => new(Id, Name, Prefix, UserId, TeamId, Role, CreatedAt, ExpiresAt, LastUsedAt, RevokedAt, HostAdmin, Login);
}

internal sealed class MembershipRow
{
    public string TeamId { get; set; } = "";
    public string TeamName { get; set; } = "";
    public string Role { get; set; } = "";

    public TeamMembership ToInfo() => new(TeamId, TeamName, Role);
}
