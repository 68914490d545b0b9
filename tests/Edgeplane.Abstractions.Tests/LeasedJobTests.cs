using Edgeplane.Abstractions.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace Edgeplane.Abstractions.Tests;

public sealed class LeasedJobTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_longer_than_its_interval_keeps_renewing_the_lease()
    {
        var lease = Substitute.For<ILease>();
        lease.RenewAsync(Arg.Any<CancellationToken>()).Returns(true);
        var job = new SlowJob(Leases(lease), TimeSpan.FromMilliseconds(400));

        await job.StartAsync(Ct);
        await job.Finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await job.StopAsync(Ct);

        Assert.False(job.WasCancelled);
        Assert.InRange(lease.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(ILease.RenewAsync)), 3, 20);
    }

    [Fact]
    public async Task A_run_whose_lease_is_lost_is_cancelled()
    {
        var lease = Substitute.For<ILease>();
        lease.RenewAsync(Arg.Any<CancellationToken>()).Returns(false);
        var job = new SlowJob(Leases(lease), TimeSpan.FromSeconds(30));

        await job.StartAsync(Ct);
        await job.Finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await job.StopAsync(Ct);

        Assert.True(job.WasCancelled);
    }

    private static ILeaseManager Leases(ILease lease)
    {
        var leases = Substitute.For<ILeaseManager>();
        leases.TryAcquireAsync(Arg.Any<string>(), Arg.Any<TimeSpan>(), Arg.Any<CancellationToken>()).Returns(lease);
        return leases;
    }

    /// <summary>Runs once for <c>duration</c> (intervals of 50 ms), then reports how the run ended.</summary>
    private sealed class SlowJob(ILeaseManager leases, TimeSpan duration) : LeasedJob(leases, TimeProvider.System, NullLogger.Instance)
    {
        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool WasCancelled { get; private set; }

        protected override string Name => "slow";
        protected override TimeSpan Interval => TimeSpan.FromMilliseconds(50);

        protected override async Task RunOnceAsync(CancellationToken cancellationToken)
        {
            if (Finished.Task.IsCompleted) return;
            try
            {
                await Task.Delay(duration, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                WasCancelled = true;
                throw;
            }
            finally
            {
                Finished.TrySetResult();
            }
        }
    }
}
