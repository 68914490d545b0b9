using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Users, teams, memberships and API keys in the host's tables, for the host's own routes. Plugins get the
/// narrower <see cref="PluginIdentityService"/>, which acts with the caller's authority.
/// </summary>
public sealed partial class IdentityService(DbConnectionFactory connections, TimeProvider clock, ApiKeyCache keyCache)
{
    public const string KeyPrefix = "ep_";

    private const string UserColumns =
        "id AS Id, username AS Username, email AS Email, is_host_admin AS IsHostAdmin, enabled AS Enabled, personal_team_id AS PersonalTeamId, created_at AS CreatedAt";

    private const string KeyColumns =
        "id AS Id, name AS Name, prefix AS Prefix, user_id AS UserId, team_id AS TeamId, role AS Role, created_at AS CreatedAt, " +
        "expires_at AS ExpiresAt, last_used_at AS LastUsedAt, revoked_at AS RevokedAt, is_host_admin AS HostAdmin, is_login AS Login";

    public async Task<UserInfo> CreateUserAsync(NewUser user, CancellationToken cancellationToken = default)
    {
        if (user.Username is null || !UsernamePattern().IsMatch(user.Username))
            throw new IdentityValidationException("username", "must be 3-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        if (PasswordHasher.Problem(user.Password) is { } problem)
            throw new IdentityValidationException("password", problem);
        if (user.Email is not null && (user.Email.Length > 254 || !user.Email.Contains('@')))
            throw new IdentityValidationException("email", "must be an email address");
        if (user.Id is not null && !UserIdPattern().IsMatch(user.Id))
            throw new IdentityValidationException("id", "must be 1-64 characters of letters, digits, '.', '_' or '-'");
        return await CreateUserAsync(user.Username, PasswordHasher.Hash(user.Password), user.Email, user.IsHostAdmin, cancellationToken, user.Id);
    }

    /// <summary>Creates a user (optionally without a password: API-key only) and its personal team.</summary>
    internal async Task<UserInfo> CreateUserAsync(string username, string? passwordHash, string? email, bool isHostAdmin, CancellationToken cancellationToken, string? id = null)
    {
        var now = clock.GetUtcNow();
        var info = new UserInfo(id ?? Ids.New(now), username, email, isHostAdmin, true, Ids.New(now), now);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            var key = NameKey.Of(username);
            // Users are found by id or username (FindUserAsync), so neither may name another user's id or username.
            var idKey = NameKey.Of(info.Id);
            if (await connection.ExecuteScalarAsync<int>(
                    "SELECT COUNT(*) FROM host_users WHERE LOWER(id) = @idKey OR username_key = @idKey OR LOWER(id) = @key",
                    new { idKey, key }, transaction) > 0)
                throw id is null
                    ? new IdentityValidationException("username", $"'{username}' is another user's id", isConflict: true)
                    : new IdentityValidationException("id", $"'{id}' is taken by another user's id or username", isConflict: true);
            await connection.ExecuteAsync("INSERT INTO host_teams (id, name, name_key, created_at) VALUES (@PersonalTeamId, @Username, @key, @CreatedAt)",
                new { info.PersonalTeamId, info.Username, key, info.CreatedAt }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO host_users (id, username, username_key, email, password_hash, is_host_admin, enabled, personal_team_id, created_at) " +
                "VALUES (@Id, @Username, @key, @Email, @passwordHash, @IsHostAdmin, @Enabled, @PersonalTeamId, @CreatedAt)",
                new { info.Id, info.Username, key, info.Email, passwordHash, info.IsHostAdmin, info.Enabled, info.PersonalTeamId, info.CreatedAt }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO host_memberships (team_id, user_id, role, created_at) VALUES (@PersonalTeamId, @Id, @role, @CreatedAt)",
                new { info.PersonalTeamId, info.Id, role = Roles.Admin, info.CreatedAt }, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException e) when (connections.Dialect.IsUniqueViolation(e))
        {
            throw new IdentityValidationException("username", $"'{username}' is taken", isConflict: true);
        }
        return info;
    }

    public async Task<UserInfo?> VerifyPasswordAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string? Hash)>(
            "SELECT id, password_hash FROM host_users WHERE username_key = @key", new { key = NameKey.Of(username ?? "") });
        // Hash even for an unknown user, so timing does not tell which usernames exist.
        var valid = PasswordHasher.Verify(password ?? "", row.Hash ?? DummyHash.Value);
        var user = valid && row.Id is not null ? await FindUserAsync(row.Id, cancellationToken) : null;
        return user is { Enabled: true } ? user : null;
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    public async Task<UserInfo?> FindUserAsync(string usernameOrId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<UserRow>(
            $"SELECT {UserColumns} FROM host_users WHERE id = @id OR username_key = @key", new { id = usernameOrId, key = NameKey.Of(usernameOrId) }))?.ToInfo();
    }

    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<UserRow>($"SELECT {UserColumns} FROM host_users ORDER BY username")).Select(r => r.ToInfo()).ToList();
    }

    public async Task<long> CountUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM host_users");
    }

    public async Task<bool> ChangePasswordAsync(string userId, string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        if (PasswordHasher.Problem(newPassword) is { } problem)
            throw new IdentityValidationException("newPassword", problem);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var hash = await connection.ExecuteScalarAsync<string?>("SELECT password_hash FROM host_users WHERE id = @userId", new { userId });
        if (!PasswordHasher.Verify(currentPassword ?? "", hash)) return false;
        await SetPasswordAsync(userId, newPassword, cancellationToken);
        return true;
    }

    public async Task<bool> HasPasswordAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>("SELECT password_hash FROM host_users WHERE id = @userId", new { userId }) is not null;
    }

    /// <summary>Sets a password, ends every session of the user and revokes the user's login key.</summary>
    internal async Task SetPasswordAsync(string userId, string password, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE host_users SET password_hash = @hash WHERE id = @userId",
            new { userId, hash = PasswordHasher.Hash(password) }, transaction);
        await connection.ExecuteAsync("UPDATE host_sessions SET revoked_at = @now WHERE user_id = @userId AND revoked_at IS NULL",
            new { userId, now = clock.GetUtcNow() }, transaction);
        await RevokeLoginKeyAsync(connection, transaction, userId);
        await transaction.CommitAsync(cancellationToken);
        keyCache.Clear();
    }

    /// <summary>Enables or disables a user; disabling revokes the user's login key.</summary>
    public async Task SetUserEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE host_users SET enabled = @enabled WHERE id = @userId", new { userId, enabled }, transaction);
        if (!enabled) await RevokeLoginKeyAsync(connection, transaction, userId);
        await transaction.CommitAsync(cancellationToken);
        keyCache.Clear();
    }

    public async Task SetHostAdminAsync(string userId, bool isHostAdmin, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE host_users SET is_host_admin = @isHostAdmin WHERE id = @userId", new { userId, isHostAdmin });
        keyCache.Clear();
    }

    /// <summary>
    /// Stores a key whose plaintext is given (the bootstrap key) or generated. The key acts with exactly
    /// <paramref name="role"/> in <paramref name="teamId"/>; only a <paramref name="hostAdmin"/> key, which only a
    /// host admin's own keys may be, administers the whole host.
    /// </summary>
    internal async Task<IssuedApiKey> StoreApiKeyAsync(string plaintext, string userId, string teamId, string role, string name, DateTimeOffset? expiresAt, bool hostAdmin, CancellationToken cancellationToken)
    {
        if (Roles.Rank(role) < 0) throw new IdentityValidationException("role", "must be viewer, operator or admin");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100) throw new IdentityValidationException("name", "must be 1-100 characters");
        var now = clock.GetUtcNow();
        if (expiresAt is { } e && e <= now) throw new IdentityValidationException("expiresAt", "must be in the future");
        await using var connection = await connections.OpenAsync(cancellationToken);
        var memberRole = await connection.ExecuteScalarAsync<string?>(
            "SELECT role FROM host_memberships WHERE team_id = @teamId AND user_id = @userId", new { teamId, userId });
        var isHostAdmin = await connection.ExecuteScalarAsync<bool?>("SELECT is_host_admin FROM host_users WHERE id = @userId", new { userId });
        if (hostAdmin && isHostAdmin != true) throw new IdentityValidationException("hostAdmin", "only a host admin's key may administer the host");
        if (memberRole is null && isHostAdmin != true) throw new IdentityValidationException("teamId", "the user is not a member of this team");
        if (isHostAdmin != true && Roles.Rank(role) > Roles.Rank(memberRole!)) throw new IdentityValidationException("role", $"cannot exceed the user's role '{memberRole}' in the team");

        var key = new ApiKeyInfo(Ids.New(now), name, plaintext[..Math.Min(plaintext.Length, 10)], userId, teamId, role, now, expiresAt, null, null, hostAdmin);
        await InsertKeyAsync(connection, null, key, plaintext);
        return new IssuedApiKey(key, plaintext);
    }

    /// <summary>
    /// The user's new login key, in place of the previous one (revoked in the same transaction): the user's role in
    /// the personal team, never a host-admin key, expiring after <paramref name="lifetime"/>.
    /// </summary>
    internal async Task<IssuedApiKey> IssueLoginKeyAsync(UserInfo user, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var plaintext = Secrets.Generate(KeyPrefix);
            var now = clock.GetUtcNow();
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var role = await connection.ExecuteScalarAsync<string?>(
                "SELECT role FROM host_memberships WHERE team_id = @PersonalTeamId AND user_id = @Id", user, transaction) ?? Roles.Viewer;
            var key = new ApiKeyInfo(Ids.New(now), "login", plaintext[..10], user.Id, user.PersonalTeamId, role, now, now + lifetime, null, null, HostAdmin: false, Login: true);
            try
            {
                await RevokeLoginKeyAsync(connection, transaction, user.Id);
                await InsertKeyAsync(connection, transaction, key, plaintext);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbException e) when (connections.Dialect.IsUniqueViolation(e) && attempt < 3)
            {
                continue; // a concurrent login of the same user won; replace its key
            }
            keyCache.Clear();
            return new IssuedApiKey(key, plaintext);
        }
    }

    private async Task RevokeLoginKeyAsync(DbConnection connection, DbTransaction transaction, string userId) =>
        await connection.ExecuteAsync("UPDATE host_api_keys SET revoked_at = @now WHERE user_id = @userId AND is_login = @login AND revoked_at IS NULL",
            new { userId, login = true, now = clock.GetUtcNow() }, transaction);

    private static Task InsertKeyAsync(DbConnection connection, DbTransaction? transaction, ApiKeyInfo key, string plaintext) =>
        connection.ExecuteAsync(
            "INSERT INTO host_api_keys (id, name, prefix, key_hash, user_id, team_id, role, created_at, expires_at, is_host_admin, is_login) " +
            "VALUES (@Id, @Name, @Prefix, @hash, @UserId, @TeamId, @Role, @CreatedAt, @ExpiresAt, @HostAdmin, @Login)",
            new { key.Id, key.Name, key.Prefix, hash = Secrets.Hash(plaintext), key.UserId, key.TeamId, key.Role, key.CreatedAt, key.ExpiresAt, key.HostAdmin, key.Login },
            transaction);

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ApiKeyRow>($"SELECT {KeyColumns} FROM host_api_keys WHERE user_id = @userId ORDER BY id", new { userId })).Select(r => r.ToInfo()).ToList();
    }

    public async Task<ApiKeyInfo?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<ApiKeyRow>($"SELECT {KeyColumns} FROM host_api_keys WHERE id = @keyId", new { keyId }))?.ToInfo();
    }

    public async Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var revoked = await connection.ExecuteAsync("UPDATE host_api_keys SET revoked_at = @now WHERE id = @keyId AND revoked_at IS NULL",
            new { keyId, now = clock.GetUtcNow() }) == 1;
        keyCache.Clear();
        return revoked;
    }

    public async Task<IReadOnlyList<TeamMembership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<MembershipRow>(
            "SELECT t.id AS TeamId, t.name AS TeamName, m.role AS Role FROM host_memberships m JOIN host_teams t ON t.id = m.team_id " +
            "WHERE m.user_id = @userId ORDER BY t.name", new { userId })).Select(r => r.ToInfo()).ToList();
    }

    /// <summary>The members of a team with their roles, by username.</summary>
    public async Task<IReadOnlyList<TeamMember>> ListTeamMembersAsync(string teamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var roles = (await connection.QueryAsync<(string UserId, string Role)>(
            "SELECT user_id, role FROM host_memberships WHERE team_id = @teamId", new { teamId })).ToDictionary(m => m.UserId, m => m.Role);
        var users = await connection.QueryAsync<UserRow>(
            $"SELECT {UserColumns} FROM host_users WHERE id IN (SELECT user_id FROM host_memberships WHERE team_id = @teamId) ORDER BY username", new { teamId });
        return users.Where(u => roles.ContainsKey(u.Id)).Select(u => new TeamMember(u.ToInfo(), roles[u.Id])).ToList();
    }

    /// <summary>Makes a user a member of a team with a role (or changes the role); null when there is no such user.</summary>
    public async Task<TeamMember?> SetMembershipAsync(string teamId, string userId, string role, CancellationToken cancellationToken = default)
    {
        if (Roles.Rank(role) < 0) throw new IdentityValidationException("role", "must be viewer, operator or admin");
        if (await FindUserAsync(userId, cancellationToken) is not { } user || user.Id != userId) return null;
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(connections.Dialect.Upsert("host_memberships", ["team_id", "user_id"], ["team_id", "user_id", "role", "created_at"]),
            new { team_id = teamId, user_id = userId, role, created_at = clock.GetUtcNow() });
        keyCache.Clear();
        return new TeamMember(user, role);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex UserIdPattern();
}
