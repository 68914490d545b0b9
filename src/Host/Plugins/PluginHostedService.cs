using Edgeplane.Host.Composition;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Runs one plugin's background services, in the order the plugin registered them, while the plugin is
/// active. They start once the server listens, off the startup path, so the host serves requests while
/// plugins still warm up (<see cref="PluginStartup"/> reports them in <c>/readyz</c> until they have
/// started). A service that fails to start fails its plugin, not the host.
/// </summary>
public sealed class PluginHostedService(IReadOnlyList<Func<IHostedService>> services, PluginEntry plugin, PluginStartup startup, IHostApplicationLifetime lifetime, ILogger<PluginHostedService> logger) : IHostedService
{
    private readonly List<IHostedService> _started = [];
    private Task _starting = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!plugin.IsActive) return Task.CompletedTask;
        startup.Begin(plugin.Id);
        _starting = Task.Run(() => StartAllAsync(cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StartAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await lifetime.WhenServerStartedAsync()) return;
            using var turn = await startup.TurnAsync(cancellationToken);
            foreach (var create in services)
            {
                var service = create();
                await service.StartAsync(cancellationToken);
                _started.Add(service);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Plugin {Plugin}: a background service failed to start", plugin.Id);
            plugin.Fail($"background service failed to start: {PluginLoader.Describe(e)}");
        }
        finally
        {
            startup.End(plugin.Id);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        for (var i = _started.Count - 1; i >= 0; i--)
            await _started[i].StopAsync(cancellationToken);
    }
}
