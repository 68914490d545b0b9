using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>
/// The SDK's <see cref="IIdentityService"/>: what a plugin may do with the host's users, always with the current
/// caller's authority. Sign-up, login and password checks go through the <see cref="LoginThrottle"/>; user
/// administration needs a host admin; members and keys are the caller's team's and the caller's own, changed only from
/// a session; no method mints a key with more than its user holds or makes an admin for a caller who is not a host admin
/// on a session.
/// </summary>
public sealed class PluginIdentityService(IdentityService identity, ICaller caller, LoginThrottle throttle, IConfiguration configuration) : IIdentityService
{
    public Task<UserInfo?> FindUserAsync(string usernameOrId, CancellationToken cancellationToken = default) =>
        identity.FindUserAsync(usernameOrId, cancellationToken);

    public Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        identity.ListUsersAsync(cancellationToken);

    public Task<IReadOnlyList<TeamMembership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        identity.ListMembershipsAsync(userId, cancellationToken);

    public Task<UserInfo> SignUpAsync(string username, string password, string? email = null, CancellationToken cancellationToken = default)
    {
        if (!configuration.GetValue("Edgeplane:Identity:AllowSignup", false))
            throw new IdentityRefusedException(StatusCodes.Status403Forbidden, "sign-up is off on this host (the operator sets Edgeplane:Identity:AllowSignup)");
        throttle.Enter();
        return identity.CreateUserAsync(new NewUser(username, password, email), cancellationToken);
    }

    public async Task<LoginKey?> LogInAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        throttle.Enter();
        var user = await identity.VerifyPasswordAsync(username, password, cancellationToken);
        if (user is null)
        {
            throttle.Failed();
            return null;
        }
        var lifetime = TimeSpan.FromDays(configuration.GetValue("Edgeplane:Identity:LoginKeyDays", 30));
        return new LoginKey(user, await identity.IssueLoginKeyAsync(user, lifetime, cancellationToken));
    }

    public async Task<bool> ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        if (caller.UserId is not { } userId) throw new IdentityRefusedException(StatusCodes.Status403Forbidden, "only a signed-in user has a password to change");
        throttle.Enter();
        var changed = await identity.ChangePasswordAsync(userId, currentPassword, newPassword, cancellationToken);
        if (!changed) throttle.Failed();
        return changed;
    }

    public Task<UserInfo> CreateUserAsync(NewUser user, CancellationToken cancellationToken = default)
    {
        if (!caller.IsHostAdmin || caller.Credential != CredentialKind.Session)
            throw new IdentityRefusedException(StatusCodes.Status403Forbidden, "only a host admin on a browser session may create users");
        return identity.CreateUserAsync(user, cancellationToken);
    }

    public Task SetUserEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken = default)
    {
        if (!caller.IsHostAdmin) throw new IdentityRefusedException(StatusCodes.Status403Forbidden, "only a host admin may enable or disable users");
        return identity.SetUserEnabledAsync(userId, enabled, cancellationToken);
    }

    public async Task<IReadOnlyList<TeamMember>> ListTeamMembersAsync(CancellationToken cancellationToken = default) =>
        caller.TeamId is { } teamId ? await identity.ListTeamMembersAsync(teamId, cancellationToken) : [];

    public async Task<TeamMember> SetTeamMemberAsync(string userId, string role, CancellationToken cancellationToken = default)
    {
        RequireSession("changing a team's members");
        if (!caller.IsHostAdmin && caller.Role != Roles.Admin)
            throw new IdentityRefusedException(StatusCodes.Status403Forbidden, "only the team's admin or a host admin may change its members");
        return await identity.SetMembershipAsync(caller.TeamId!, userId, role, cancellationToken)
            ?? throw new IdentityValidationException("userId", "no such user");
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        caller.UserId is { } userId ? await identity.ListApiKeysAsync(userId, cancellationToken) : [];

    public Task<IssuedApiKey> CreateApiKeyAsync(string name, string role, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        RequireSession("minting API keys");
        // the host checks the role against the caller's membership of the team; the key is never a host-admin key
        return identity.StoreApiKeyAsync(Secrets.Generate(IdentityService.KeyPrefix), caller.UserId!, caller.TeamId!, role, name, expiresAt, hostAdmin: false, cancellationToken);
    }

    public async Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        RequireSession("revoking API keys");
        if (await identity.FindApiKeyAsync(keyId, cancellationToken) is not { } key || (key.UserId != caller.UserId && !caller.IsHostAdmin)) return false;
        await identity.RevokeApiKeyAsync(key.Id, cancellationToken);
        return true;
    }

    private void RequireSession(string what)
    {
        if (caller.Credential != CredentialKind.Session)
            throw new IdentityRefusedException(StatusCodes.Status403Forbidden, $"{what} needs a browser session: an API key cannot do it");
    }
}
