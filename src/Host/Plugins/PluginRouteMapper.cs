using Edgeplane.Abstractions.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Maps every <see cref="ICarterModule"/> of a plugin into a route group per path-prefix mount and one
/// group for all its dedicated listeners (each route answering on the listeners whose paths include it).
/// Modules map into a private builder, so a module that throws adds no endpoint at all; the caller adds
/// the returned sources to the host (plugins map in parallel).
/// </summary>
public static class PluginRouteMapper
{
    public static IReadOnlyList<ServedEndpointDataSource> Map(WebApplication app, PluginEntry entry)
    {
        var staging = new StagingRouteBuilder(app);
        foreach (var mount in entry.Mounts.Where(m => m.Listener is null))
            MapModules(app, entry, staging.MapGroup(mount.Prefix), [mount]);
        if (entry.Mounts.Where(m => m.Listener is not null).ToList() is { Count: > 0 } listeners)
            MapModules(app, entry, staging.MapGroup(""), listeners);

        return staging.DataSources.Select(source => new ServedEndpointDataSource(source)).ToList();
    }

    private static void MapModules(WebApplication app, PluginEntry entry, RouteGroupBuilder group, IReadOnlyList<PluginMount> mounts)
    {
        group.WithTags(entry.Id)
            .WithMetadata(new PluginEndpointMetadata(entry.Id))
            .RequireAuthorization(); // secure by default: a route opts out with AllowAnonymous()
        ((IEndpointConventionBuilder)group).Add(endpoint => PlaceOnMounts(endpoint, mounts));

        var modules = entry.Assembly!.GetExportedTypes()
            .Where(t => typeof(ICarterModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        foreach (var type in modules)
            ((ICarterModule)ActivatorUtilities.CreateInstance(app.Services, type)).AddRoutes(group);
    }

    /// <summary>Limits a route to the listeners of the mounts that serve it, or marks it unserved.</summary>
    private static void PlaceOnMounts(EndpointBuilder endpoint, IReadOnlyList<PluginMount> mounts)
    {
        var pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "/";
        var serving = mounts.Where(m => m.Serves(RelativeTo(m, pattern))).ToList();
        if (serving.Count == 0)
            endpoint.Metadata.Add(ServedEndpointDataSource.Unserved);
        else if (serving.Select(m => m.Port).OfType<int>().Distinct().Select(port => $"*:{port}").ToArray() is { Length: > 0 } hosts)
            endpoint.Metadata.Add(new HostAttribute(hosts));
    }

    private static string RelativeTo(PluginMount mount, string pattern)
    {
        pattern = "/" + pattern.TrimStart('/');
        return pattern.StartsWith(mount.Prefix + "/", StringComparison.OrdinalIgnoreCase) ? pattern[mount.Prefix.Length..] : pattern;
    }

    private sealed class StagingRouteBuilder(IEndpointRouteBuilder inner) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => inner.ServiceProvider;
        public ICollection<EndpointDataSource> DataSources { get; } = [];
        public IApplicationBuilder CreateApplicationBuilder() => inner.CreateApplicationBuilder();
    }
}
