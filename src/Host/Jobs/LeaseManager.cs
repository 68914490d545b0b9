using System.Data.Common;
using Dapper;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Jobs;

/// <summary>Leases as rows of <c>host_leases</c>: taken when free or expired, renewed by the holder, deleted on release.</summary>
public sealed class LeaseManager(DbConnectionFactory connections, TimeProvider clock) : ILeaseManager
{
    /// <summary>This process; every lease it takes is held under a distinct holder id.</summary>
    private static readonly string Instance = Environment.MachineName + ":" + Environment.ProcessId;

    public async Task<ILease?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var holder = $"{Instance}:{Guid.NewGuid():N}";
        var now = clock.GetUtcNow();
        await using var connection = await connections.OpenAsync(cancellationToken);
        var taken = await connection.ExecuteAsync(
            "UPDATE host_leases SET holder = @holder, expires_at = @expires WHERE name = @name AND expires_at < @now",
            new { name, holder, now, expires = now + duration });
        if (taken == 0)
        {
            try
            {
                await connection.ExecuteAsync(
                    "INSERT INTO host_leases (name, holder, expires_at) VALUES (@name, @holder, @expires)",
                    new { name, holder, expires = now + duration });
            }
            catch (DbException e) when (connections.Dialect.IsUniqueViolation(e))
            {
                return null;
            }
        }
        return new Lease(this, name, holder, duration);
    }

    private async Task<bool> RenewAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return await connection.ExecuteAsync(
            "UPDATE host_leases SET expires_at = @expires WHERE name = @name AND holder = @holder",
            new { name, holder, expires = now + duration }) == 1;
    }

    private async Task ReleaseAsync(string name, string holder)
    {
        await using var connection = await connections.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM host_leases WHERE name = @name AND holder = @holder", new { name, holder });
    }

    private sealed class Lease(LeaseManager owner, string name, string holder, TimeSpan duration) : ILease
    {
        public string Name => name;

        public Task<bool> RenewAsync(CancellationToken cancellationToken = default) =>
            owner.RenewAsync(name, holder, duration, cancellationToken);

        public async ValueTask DisposeAsync() => await owner.ReleaseAsync(name, holder);
    }
}
