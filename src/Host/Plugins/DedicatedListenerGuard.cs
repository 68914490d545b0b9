using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A plugin's dedicated listener serves that plugin's routes mounted there and nothing else: the host's
/// own routes and other plugins' routes answer 404 on it, as if the listener were a server of its own.
/// </summary>
public sealed class DedicatedListenerGuard(RequestDelegate next, PluginCatalog catalog)
{
    private readonly HashSet<int> _ports = catalog.Active.SelectMany(p => p.Mounts).Select(m => m.Port).OfType<int>().ToHashSet();

    public Task InvokeAsync(HttpContext context)
    {
        var port = context.Connection.LocalPort;
        if (_ports.Contains(port) && context.GetEndpoint() is { } endpoint && !MountedOn(endpoint, port))
            context.SetEndpoint(null);
        return next(context);
    }

    private static bool MountedOn(Endpoint endpoint, int port) =>
        endpoint.Metadata.GetMetadata<IHostMetadata>()?.Hosts.Any(h => h.EndsWith($":{port}", StringComparison.Ordinal)) == true;
}
