using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>What the caller may see: instances of their team (every one for a host admin), users, their quota.</summary>
public sealed class InstanceService(InstanceStore instances, ICaller caller, IIdentityService identity, ComputeOptions options)
{
    private readonly QuotaLimits _quota = QuotaLimits.From(options.Quota);

    /// <summary>
    /// The user named by id or username (letter case ignored, as the host does) when the caller may see them: themselves,
    /// a member of the caller's team, anyone for a host admin. Otherwise null, whether or not the user exists, so that
    /// another team's user and a missing one get the same answer (<see cref="NoUser"/>).
    /// </summary>
    public async Task<UserInfo?> FindVisibleUserAsync(string key, CancellationToken ct)
    {
        var user = await identity.FindUserAsync(key, ct);
        if (user is null || user.Id == caller.UserId || caller.IsHostAdmin) return user;
        return (await identity.ListMembershipsAsync(user.Id, ct)).Any(m => m.TeamId == caller.TeamId) ? user : null;
    }

    public static string NoUser(string key) => $"no user '{key}'";

    /// <summary>The instance when the caller may see it (own team, or host admin); deleted ones too.</summary>
    public async Task<InstanceRow?> FindVisibleAsync(string? id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id) || !Ids.IsValid(id)) return null;
        var instance = await instances.FindAsync(id, ct);
        return instance is not null && (caller.IsHostAdmin || instance.TeamId == caller.TeamId) ? instance : null;
    }

    public async Task<UserQuota> QuotaAsync(string userId, CancellationToken ct) =>
        new(userId, _quota, await instances.UserUsageAsync(userId, ct));
}
