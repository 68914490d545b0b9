using Microsoft.Extensions.Hosting;

namespace Edgeplane.TestPlugins.Crashing;

/// <summary>A background service that fails the way real ones do: an exception at start, or one while it runs.</summary>
public sealed class Worker(CrashTrigger trigger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken) =>
        trigger.FailAtStart ? throw new InvalidOperationException("the worker cannot start") : base.StartAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await trigger.Pulled.WaitAsync(stoppingToken);
        throw new InvalidOperationException("the worker lost its connection");
    }
}
