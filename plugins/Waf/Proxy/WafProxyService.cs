using Edgeplane.Plugins.Waf.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>Runs the reverse-proxy listener when <c>Proxy:Upstream</c> is configured.</summary>
public sealed class WafProxyService(WafEngine engine, WafOptions options, WafMetrics metrics, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private WafProxy? _proxy;

    public Uri? Address => _proxy?.Address;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Proxy.Enabled || string.IsNullOrEmpty(options.Proxy.Upstream))
        {
            loggers.CreateLogger<WafProxyService>().LogInformation("WAF proxy listener is off (set Edgeplane:Plugins:waf:Proxy:Upstream to run it)");
            return;
        }
        _proxy = new WafProxy(engine, options.Proxy, metrics, loggers);
        await _proxy.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        _proxy = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
    }
}
