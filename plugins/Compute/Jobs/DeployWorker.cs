using Edgeplane.Plugins.Compute.Domain;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.Plugins.Compute.Jobs;

/// <summary>Runs accepted deploys, a few at a time.</summary>
public sealed class DeployWorker(DeployQueue queue, Deployer deployer, ComputeOptions options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.DeployConcurrency).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
                    await deployer.DeployAsync(id, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        }, CancellationToken.None)));
}
