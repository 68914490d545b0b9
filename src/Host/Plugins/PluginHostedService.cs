using Microsoft.Extensions.Hosting;

namespace Edgeplane.Host.Plugins;

/// <summary>Runs a plugin's background service only while the plugin is active.</summary>
public sealed class PluginHostedService(IHostedService inner, PluginEntry plugin) : IHostedService
{
    private bool _started;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!plugin.IsActive) return;
        await inner.StartAsync(cancellationToken);
        _started = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _started ? inner.StopAsync(cancellationToken) : Task.CompletedTask;
}
