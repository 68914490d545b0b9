namespace Edgeplane.Abstractions.Jobs;

/// <summary>
/// Leases held in the database, so that work which must happen once across every host instance
/// sharing the database (delivery, reconciliation, advancing a rollout) runs once.
/// </summary>
public interface ILeaseManager
{
    /// <summary>The lease if no other holder has an unexpired one; otherwise null.</summary>
    Task<ILease?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken = default);
}

/// <summary>A held lease. Disposing it releases it.</summary>
public interface ILease : IAsyncDisposable
{
    string Name { get; }
    /// <summary>Extends the lease; false when it was lost (expired and taken by another holder).</summary>
    Task<bool> RenewAsync(CancellationToken cancellationToken = default);
}
