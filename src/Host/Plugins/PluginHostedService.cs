using Edgeplane.Host.Jobs;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Starts one plugin's background services, in the order the plugin registered them, once the server listens
/// (<see cref="PluginState.Starting"/>), off the startup path, so the host serves requests while plugins still
/// warm up (<see cref="PluginStartup"/> reports them in <c>/readyz</c> until they have started); then the plugin is
/// <see cref="PluginState.Active"/>. A service that fails to start, or a <see cref="BackgroundService"/> that fails
/// later while running, fails its plugin, not the host: the plugin's routes are withdrawn (they answer 503) and its
/// other services are stopped. The plugin's <see cref="EarlyServices"/>, started before the server, are watched the same way
/// and stopped last.
/// </summary>
public sealed class PluginHostedService(IReadOnlyList<Func<IHostedService>> services, PluginEntry plugin, EarlyServices early, PluginStartup startup, IHostApplicationLifetime lifetime, ILogger<PluginHostedService> logger) : IHostedService
{
    private readonly Lock _gate = new();
    private List<IHostedService> _started = [];
    private Task _starting = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!plugin.IsLive) return Task.CompletedTask;
        // EarlyServices already fails the plugin when one of these fails; watching them here too logs the failure (no
        // logger exists when they start) and stops the services this one started
        foreach (var service in early.Started)
            if (service is BackgroundService { ExecuteTask: { } running }) _ = WatchAsync(service, running);
        startup.Begin(plugin.Id);
        _starting = Task.Run(() => StartAllAsync(cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StartAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await lifetime.WhenServerStartedAsync()) return;
            plugin.Advance(PluginState.Starting);
            using var turn = await startup.TurnAsync(cancellationToken);
            foreach (var create in services)
            {
                if (!plugin.IsLive) break;
                var service = create();
                await service.StartAsync(cancellationToken);
                lock (_gate) _started.Add(service);
                if (service is BackgroundService { ExecuteTask: { } running }) _ = WatchAsync(service, running);
            }
            plugin.Advance(PluginState.Active);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Plugin {Plugin}: a background service failed to start ({Type}); the plugin is failed and its routes answer 503", plugin.Id, e.GetType().FullName);
            plugin.Fail($"background service failed to start: {PluginLoader.Describe(e)}", e);
        }
        finally
        {
            startup.End(plugin.Id);
        }
    }

    /// <summary>A background service's work ending in an exception (not a stop the host asked for) fails the plugin.</summary>
    private async Task WatchAsync(IHostedService service, Task running)
    {
        try
        {
            await running;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Plugin {Plugin}: background service {Service} failed ({Type}); the plugin is failed and its routes answer 503",
                plugin.Id, service.GetType().Name, e.GetType().FullName);
            plugin.Fail($"background service {service.GetType().Name} failed: {PluginLoader.Describe(e)}", e);
            await StopStartedAsync(CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await StopStartedAsync(cancellationToken);
    }

    /// <summary>Stops the services started so far, in reverse order, once: the host's stop and a failure may both ask.</summary>
    private async Task StopStartedAsync(CancellationToken cancellationToken)
    {
        List<IHostedService> started;
        lock (_gate)
        {
            started = _started;
            _started = [];
        }
        for (var i = started.Count - 1; i >= 0; i--)
        {
            try
            {
                await started[i].StopAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Plugin {Plugin}: background service {Service} failed to stop", plugin.Id, started[i].GetType().Name);
            }
        }
        await early.StopAsync(cancellationToken);
    }
}
