using Edgeplane.Abstractions.Jobs;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Compute.Jobs;

/// <summary>
/// Every few seconds, on one host instance (database lease <c>compute.reconcile</c>): checks each
/// node's engine (status, version), brings instance states in line with the containers the engine
/// reports (exited, missing, back to running), marks instances on an unreachable node <c>unknown</c>,
/// removes containers of deleted instances, and fails deploys that were interrupted.
/// </summary>
public sealed class ReconcileJob(ILeaseManager leases, TimeProvider clock, ILogger<ReconcileJob> logger, Reconciler reconciler, ComputeOptions options)
    : LeasedJob(leases, clock, logger)
{
    protected override string Name => "compute.reconcile";
    protected override TimeSpan Interval => options.ReconcileInterval;
    protected override Task RunOnceAsync(CancellationToken cancellationToken) => reconciler.RunAsync(cancellationToken);
}
