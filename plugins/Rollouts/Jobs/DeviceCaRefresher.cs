using Edgeplane.Plugins.Rollouts.Data.Ca;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Jobs;

/// <summary>Reloads the device CA every 30 s, so a rotation made on another host instance takes effect here.</summary>
public sealed class DeviceCaRefresher(DeviceCa ca, ILogger<DeviceCaRefresher> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ca.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Device CA refresh failed; keeping the loaded CA");
            }
        }
    }
}
