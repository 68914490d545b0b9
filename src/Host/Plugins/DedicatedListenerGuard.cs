using System.Collections.Concurrent;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A plugin's dedicated listener serves that plugin's routes mounted there and nothing else: the host's
/// own routes and other plugins' routes answer 404 on it, as if the listener were a server of its own.
/// Routing's answers for a path that is served there but not with this method (405) or content type (415)
/// stand, as they do on a prefix mount.
/// </summary>
public sealed class DedicatedListenerGuard(RequestDelegate next, PluginCatalog catalog)
{
    // port → the host-pattern suffix that routes mounted on it carry (":9999")
    // every plugin's: a plugin that failed after its listener was bound still has the listener
    private readonly Dictionary<int, string> _ports = catalog.Plugins.SelectMany(p => p.Mounts).Select(m => m.Port).OfType<int>()
        .Distinct().ToDictionary(port => port, port => $":{port}");
    // port → the route templates mounted on it, read at the first request that needs them (every endpoint is built by then)
    private readonly ConcurrentDictionary<int, TemplateMatcher[]> _templates = new();

    public Task InvokeAsync(HttpContext context)
    {
        var port = context.Connection.LocalPort;
        if (_ports.TryGetValue(port, out var suffix) && context.GetEndpoint() is { } endpoint && !Serves(context, endpoint, port, suffix))
            context.SetEndpoint(null);
        return next(context);
    }

    private bool Serves(HttpContext context, Endpoint endpoint, int port, string suffix) =>
        endpoint is RouteEndpoint
            ? MountedOn(endpoint, suffix)
            // a rejection endpoint of routing's method and content-type policies: stands if a route here has this path
            : _templates.GetOrAdd(port, _ => MountedTemplates(context.RequestServices, suffix))
                .Any(t => t.TryMatch(context.Request.Path, new RouteValueDictionary()));

    private static TemplateMatcher[] MountedTemplates(IServiceProvider services, string suffix) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => MountedOn(e, suffix) && e.RoutePattern.RawText is not null)
            .Select(e => new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!), new RouteValueDictionary()))
            .ToArray();

    private static bool MountedOn(Endpoint endpoint, string portSuffix) =>
        endpoint.Metadata.GetMetadata<IHostMetadata>()?.Hosts.Any(h => h.EndsWith(portSuffix, StringComparison.Ordinal)) == true;
}
