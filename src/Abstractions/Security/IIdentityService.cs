namespace Edgeplane.Abstractions.Security;

/// <summary>
/// The host's users, teams and API keys, for plugins whose API document has its own signup, login
/// or user administration. Passwords are hashed with a slow KDF; keys are stored as hashes only.
/// Methods throw <see cref="IdentityValidationException"/> for bad input (naming the field).
/// </summary>
public interface IIdentityService
{
    /// <summary>Creates a user with a personal team of the same name in which the user is admin.</summary>
    Task<UserInfo> CreateUserAsync(NewUser user, CancellationToken cancellationToken = default);

    /// <summary>The user when the password is right and the user is enabled; otherwise null.</summary>
    Task<UserInfo?> VerifyPasswordAsync(string username, string password, CancellationToken cancellationToken = default);

    Task<UserInfo?> FindUserAsync(string usernameOrId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks the current password, sets the new one and ends the user's sessions.</summary>
    Task<bool> ChangePasswordAsync(string userId, string currentPassword, string newPassword, CancellationToken cancellationToken = default);

    Task SetUserEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken = default);

    Task SetHostAdminAsync(string userId, bool isHostAdmin, CancellationToken cancellationToken = default);

    /// <summary>Issues an API key bound to a team and role; the plaintext is in the result only.</summary>
    Task<IssuedApiKey> IssueApiKeyAsync(string userId, string teamId, string role, string name, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(string userId, CancellationToken cancellationToken = default);

    Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>The teams a user belongs to, with the user's role in each.</summary>
    Task<IReadOnlyList<TeamMembership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken = default);
}

public sealed record NewUser(string Username, string Password, string? Email = null, bool IsHostAdmin = false);

public sealed record UserInfo(string Id, string Username, string? Email, bool IsHostAdmin, bool Enabled, string PersonalTeamId, DateTimeOffset CreatedAt);

public sealed record IssuedApiKey(ApiKeyInfo Key, string Plaintext);

/// <summary>An API key; <see cref="HostAdmin"/> keys administer the whole host (minted only by a host admin on a session).</summary>
public sealed record ApiKeyInfo(string Id, string Name, string Prefix, string UserId, string TeamId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, bool HostAdmin = false);

public sealed record TeamMembership(string TeamId, string TeamName, string Role);

/// <summary>
/// Bad input to the identity service; <see cref="Field"/> names the offending field.
/// <see cref="IsConflict"/> marks a clash with existing data (a taken username: answer 409, not 400).
/// </summary>
public sealed class IdentityValidationException(string field, string message, bool isConflict = false) : Exception(message)
{
    public string Field { get; } = field;
    public bool IsConflict { get; } = isConflict;
}
