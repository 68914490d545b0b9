namespace Edgeplane.Abstractions.Security;

/// <summary>
/// The host's users, for plugins whose API document has its own sign-up, login, account or user routes.
/// Every method acts with the current caller's authority: nothing here makes an admin or mints a key with more
/// than its user holds. Passwords are checked through the host's login limit and lockout (per source address).
/// Methods throw <see cref="IdentityValidationException"/> for bad input (naming the field) and
/// <see cref="IdentityRefusedException"/> when the host refuses the caller; the host answers both as problem
/// details (400/409, 403/429) when a plugin does not catch them.
/// </summary>
public interface IIdentityService
{
    Task<UserInfo?> FindUserAsync(string usernameOrId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken = default);

    /// <summary>The teams a user belongs to, with the user's role in each.</summary>
    Task<IReadOnlyList<TeamMembership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Anonymous sign-up: a user (never a host admin) with a personal team in which it is admin. Refused (403)
    /// unless the operator sets <c>Edgeplane:Identity:AllowSignup</c>; counts as a login attempt (429 past the limit).
    /// </summary>
    Task<UserInfo> SignUpAsync(string username, string password, string? email = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks the password (a login attempt: 429 past the limit; a wrong one counts toward the lockout) and issues
    /// the user's login key: admin of the user's personal team, never a host-admin key, expiring, and the user's only
    /// one (the previous login key is revoked). A password change or a disable revokes it. Null for a wrong
    /// password or a disabled user.
    /// </summary>
    Task<LoginKey?> LogInAsync(string username, string password, CancellationToken cancellationToken = default);

    /// <summary>
    /// The caller's own password: checks the current one (a wrong one counts toward the lockout), sets the new
    /// one, ends the caller's sessions and revokes the caller's login key. False when the current password is wrong.
    /// </summary>
    Task<bool> ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken = default);

    /// <summary>Creates a user with a personal team. Only a host admin on a browser session may (403 otherwise).</summary>
    Task<UserInfo> CreateUserAsync(NewUser user, CancellationToken cancellationToken = default);

    /// <summary>Enables or disables a user (disabling revokes the user's login key). Only a host admin may (403 otherwise).</summary>
    Task SetUserEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>The members of the caller's team (the team its credential acts for) with their roles, by username.</summary>
    Task<IReadOnlyList<TeamMember>> ListTeamMembersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a user a member of the caller's team with <paramref name="role"/> (or changes the member's role). Only the
    /// team's admin or a host admin, on a browser session, may (403 otherwise); <see cref="IdentityValidationException"/>
    /// names <c>role</c> (not a role) or <c>userId</c> (no such user).
    /// </summary>
    Task<TeamMember> SetTeamMemberAsync(string userId, string role, CancellationToken cancellationToken = default);

    /// <summary>The caller's own API keys, revoked ones included; never their secrets.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Mints an API key for the caller in the caller's team with <paramref name="role"/>, which may not exceed the caller's
    /// role there; never a host-admin key. Only on a browser session (403 otherwise): a key never mints keys.
    /// <see cref="IdentityValidationException"/> names <c>name</c>, <c>role</c> or <c>expiresAt</c>.
    /// </summary>
    Task<IssuedApiKey> CreateApiKeyAsync(string name, string role, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes one of the caller's own keys (a host admin: anyone's). False when there is no such key of the caller's.
    /// Only on a browser session (403 otherwise).
    /// </summary>
    Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default);
}

/// <summary>A member of a team: the user and the member's role in that team.</summary>
public sealed record TeamMember(UserInfo User, string Role);

public sealed record NewUser(string Username, string Password, string? Email = null, bool IsHostAdmin = false)
{
    /// <summary>
    /// The user's id when the caller chooses it (1-64 letters, digits, '.', '_' or '-', unique ignoring letter case
    /// among ids and usernames); the host assigns one when it is null.
    /// </summary>
    public string? Id { get; init; }
}

public sealed record UserInfo(string Id, string Username, string? Email, bool IsHostAdmin, bool Enabled, string PersonalTeamId, DateTimeOffset CreatedAt);

public sealed record IssuedApiKey(ApiKeyInfo Key, string Plaintext);

/// <summary>
/// An API key. <see cref="HostAdmin"/> keys administer the whole host (minted only by a host admin on a session);
/// <see cref="Login"/> marks the user's one login key (see <see cref="IIdentityService.LogInAsync"/>).
/// </summary>
public sealed record ApiKeyInfo(string Id, string Name, string Prefix, string UserId, string TeamId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, bool HostAdmin = false, bool Login = false);

/// <summary>A successful login: the user and the user's new login key (the plaintext is only here).</summary>
public sealed record LoginKey(UserInfo User, IssuedApiKey Key);

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

/// <summary>
/// The host refuses the caller: <see cref="StatusCode"/> 403 (the caller may not do this) or 429 (too many login
/// attempts or failed credentials from the caller's address; try again after a minute).
/// </summary>
public sealed class IdentityRefusedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
