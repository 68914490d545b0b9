using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A plugin's dedicated listener serves that plugin's routes mounted there and nothing else: the host's
/// own routes and other plugins' routes answer 404 on it, as if the listener were a server of its own.
/// </summary>
public sealed class DedicatedListenerGuard(RequestDelegate next, PluginCatalog catalog)
{
    // port → the host-pattern suffix that routes mounted on it carry (":9999")
    private readonly Dictionary<int, string> _ports = catalog.Active.SelectMany(p => p.Mounts).Select(m => m.Port).OfType<int>()
        .Distinct().ToDictionary(port => port, port => $":{port}");

    public Task InvokeAsync(HttpContext context)
    {
        if (_ports.TryGetValue(context.Connection.LocalPort, out var suffix) && context.GetEndpoint() is { } endpoint && !MountedOn(endpoint, suffix))
            context.SetEndpoint(null);
        return next(context);
    }

    private static bool MountedOn(Endpoint endpoint, string portSuffix) =>
        endpoint.Metadata.GetMetadata<IHostMetadata>()?.Hosts.Any(h => h.EndsWith(portSuffix, StringComparison.Ordinal)) == true;
}
