using Edgeplane.Abstractions.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Maps every <see cref="ICarterModule"/> of a plugin into a route group per path-prefix mount and one
/// group per profile for its dedicated listeners (each route answering on the listeners whose paths and
/// profile include it).
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
        foreach (var listeners in entry.Mounts.Where(m => m.Listener is not null).GroupBy(m => m.Profile))
            MapModules(app, entry, staging.MapGroup(""), listeners.ToList());

        return staging.DataSources.Select(source => new ServedEndpointDataSource(source)).ToList();
    }

    private static void MapModules(WebApplication app, PluginEntry entry, RouteGroupBuilder group, IReadOnlyList<PluginMount> mounts)
    {
        group.WithTags(entry.Id)
            .WithMetadata(new PluginEndpointMetadata(entry.Id), new ApiProfileMetadata(mounts[0].Profile))
            .RequireAuthorization(); // secure by default: a route opts out with AllowAnonymous()
        // after the route's own conventions, which may limit it to some profiles
        ((IEndpointConventionBuilder)group).Finally(endpoint => PlaceOnMounts(endpoint, mounts));

        var modules = entry.Assembly!.GetExportedTypes()
            .Where(t => typeof(ICarterModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        foreach (var type in modules)
            ((ICarterModule)ActivatorUtilities.CreateInstance(app.Services, type)).AddRoutes(group);
    }

    /// <summary>Limits a route to the listeners of the mounts that serve it, or marks it unserved.</summary>
    private static void PlaceOnMounts(EndpointBuilder endpoint, IReadOnlyList<PluginMount> mounts)
    {
        var pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "/";
        var profiles = endpoint.Metadata.OfType<ProfileRouteMetadata>().LastOrDefault()?.Profiles;
        var serving = mounts.Where(m => m.Serves(RelativeTo(m, pattern)) && (profiles is null || profiles.Contains(m.Profile))).ToList();
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
