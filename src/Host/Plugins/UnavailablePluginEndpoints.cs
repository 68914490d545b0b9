using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Under every mount of a plugin that is out — failed at any step, at startup or later, or refused as
/// incompatible — every path answers 503 with a problem naming the plugin, instead of a bare 404 as if nothing
/// had ever been there. Its endpoints follow the plugins' states: when one fails while the host serves, routing
/// is told. A disabled plugin has no such routes (the operator removed it), nor has a failed duplicate of a
/// plugin that serves under the same id.
/// </summary>
public sealed class UnavailablePluginEndpoints : EndpointDataSource
{
    private readonly PluginCatalog _catalog;
    private CancellationTokenSource _changed = new();
    private IReadOnlyList<Endpoint> _endpoints;

    public UnavailablePluginEndpoints(PluginCatalog catalog)
    {
        _catalog = catalog;
        foreach (var plugin in catalog.Plugins) plugin.Left += _ => Refresh();
        _endpoints = Unavailable(); // after subscribing: a plugin that fails in between is not missed
    }

    public override IReadOnlyList<Endpoint> Endpoints => Volatile.Read(ref _endpoints);

    public override IChangeToken GetChangeToken() => new CancellationChangeToken(_changed.Token);

    private void Refresh()
    {
        Volatile.Write(ref _endpoints, Unavailable());
        Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();
    }

    private List<Endpoint> Unavailable()
    {
        var serving = _catalog.Live.Select(p => p.Id).ToHashSet();
        return _catalog.Plugins
            .Where(p => p.State is PluginState.Failed or PluginState.Incompatible && !serving.Contains(p.Id))
            .SelectMany(p => p.Mounts.SelectMany(m => Bases(m).Select(path => (Plugin: p, Mount: m, Path: path))))
            .DistinctBy(e => (e.Path, e.Mount.Port)) // two failed plugins under one id or mount: the first one found names it
            .Select(e => Endpoint(e.Plugin, e.Mount, e.Path))
            .ToList<Endpoint>();
    }

    // A prefix mount's paths start with its prefix; a dedicated listener's are its own (an empty prefix on
    // the main listener would claim every path the host does not serve: it gets none).
    private static IEnumerable<string> Bases(PluginMount mount) =>
        mount.Listener is null && mount.Prefix.Length == 0
            ? []
            : (mount.Paths ?? [""]).Select(path => mount.Prefix + path.TrimEnd('/'));

    private static RouteEndpoint Endpoint(PluginEntry plugin, PluginMount mount, string path)
    {
        var metadata = new List<object> { new PluginEndpointMetadata(plugin.Id), new ExcludeFromDescriptionAttribute() };
        if (mount.Port is { } port) metadata.Add(new HostAttribute($"*:{port}"));
        var state = plugin.State.ToString().ToLowerInvariant();
        return new RouteEndpoint(
            context => Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Plugin unavailable",
                detail: $"The plugin '{plugin.Id}' is {state} and serves nothing until the host restarts with it fixed; GET /api/v1/plugins gives the reason.",
                extensions: new Dictionary<string, object?> { ["plugin"] = plugin.Id, ["state"] = state }).ExecuteAsync(context),
            RoutePatternFactory.Parse($"{path}/{{**path}}"),
            int.MaxValue, // after every route that serves the path
            new EndpointMetadataCollection(metadata),
            $"{plugin.Id} unavailable: {path}/*");
    }
}
