using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Abstractions.Jobs;

/// <summary>
/// A background job that runs every <see cref="Interval"/> on exactly one host instance at a time:
/// each run happens under a database lease named <see cref="Name"/>, renewed every interval while the run
/// lasts (a run whose lease is lost is cancelled). Register with <c>AddHostedService</c>.
/// </summary>
public abstract class LeasedJob(ILeaseManager leases, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected abstract string Name { get; }
    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await using var lease = await leases.TryAcquireAsync(Name, Interval * 3, stoppingToken);
                if (lease is not null) await RunHoldingAsync(lease, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Job {Job} failed; it runs again in {Interval}", Name, Interval);
            }
        }
        while (await TickAsync(timer, stoppingToken));
    }

    private async Task RunHoldingAsync(ILease lease, CancellationToken stoppingToken)
    {
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var run = RunOnceAsync(held.Token);
        while (await Task.WhenAny(run, Task.Delay(Interval, clock, stoppingToken)) != run)
        {
            if (await lease.RenewAsync(stoppingToken)) continue;
            logger.LogWarning("Job {Job} lost its lease to another instance; this run is cancelled", Name);
            await held.CancelAsync();
            break;
        }
        try
        {
            await run;
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
