using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Abstractions.Jobs;

/// <summary>
/// A background job that runs every <see cref="Interval"/> on exactly one host instance at a time:
/// each run happens under a database lease named <see cref="Name"/>. Register with <c>AddHostedService</c>.
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
                if (lease is not null) await RunOnceAsync(stoppingToken);
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
