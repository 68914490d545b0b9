using Edgeplane.Abstractions.Jobs;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Jobs;

/// <summary>Creates the repository (keys, version 1 of each role) at start when it is empty.</summary>
public sealed class TufInitializer(TufRepository tuf) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => tuf.EnsureInitializedAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Re-signs timestamp (and snapshot, targets, root) before they expire: once across instances, every <c>Tuf:RefreshInterval</c>.</summary>
public sealed class TufRefreshJob(TufRepository tuf, ILeaseManager leases, TimeProvider clock, ILogger<TufRefreshJob> logger) : LeasedJob(leases, clock, logger)
{
    protected override string Name => "rollouts.tuf.refresh";
    protected override TimeSpan Interval => tuf.Options.RefreshInterval;

    /// <summary>A zero <c>Tuf:RefreshInterval</c> turns the job off.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Interval > TimeSpan.Zero ? base.ExecuteAsync(stoppingToken) : Task.CompletedTask;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var roles = await tuf.RefreshAsync(cancellationToken);
        if (roles.Count > 0) logger.LogInformation("Re-signed {Roles} before expiry", string.Join(", ", roles));
    }
}
