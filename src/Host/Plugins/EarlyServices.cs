using Microsoft.Extensions.Hosting;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A plugin's services started as soon as it has registered (<c>IPluginBuilder.StartEarly</c>), before the host's
/// container, migrations and server: the plugin's line still governs them. One that fails to start, or a
/// <see cref="BackgroundService"/> of them that fails later, fails the plugin; they are stopped, once, when the plugin
/// leaves the line (fails at any later step) and when the host stops (<see cref="PluginHostedService"/>).
/// </summary>
public sealed class EarlyServices
{
    private readonly PluginEntry _plugin;
    private readonly List<IHostedService> _started = [];
    private int _stopped;

    public static readonly EarlyServices None = new(new PluginEntry("", ""), []);

    private EarlyServices(PluginEntry plugin, IReadOnlyList<IHostedService> started)
    {
        _plugin = plugin;
        _started.AddRange(started);
    }

    public IReadOnlyList<IHostedService> Started => _started;

    /// <summary>Starts <paramref name="services"/> in order; the first that fails to start fails the plugin and stops the others.</summary>
    public static EarlyServices Start(PluginEntry plugin, IReadOnlyList<IHostedService> services)
    {
        if (services.Count == 0) return None;
        var early = new EarlyServices(plugin, []);
        plugin.Left += left => { _ = early.StopAsync(CancellationToken.None); };
        foreach (var service in services)
        {
            try
            {
                service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                plugin.Fail($"early service failed to start: {PluginLoader.Describe(e)}", e);
                break;
            }
            early._started.Add(service);
            if (service is BackgroundService { ExecuteTask: { } running }) _ = early.WatchAsync(service, running);
        }
        return early;
    }

    private async Task WatchAsync(IHostedService service, Task running)
    {
        try
        {
            await running;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _plugin.Fail($"background service {service.GetType().Name} failed: {PluginLoader.Describe(e)}", e);
        }
    }

    /// <summary>Stops the started services in reverse order, once (the plugin's failure and the host's stop may both ask).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            try
            {
                await _started[i].StopAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException) { }
        }
    }
}
