using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Maps every <see cref="ICarterModule"/> of a plugin into a route group per path-prefix mount and one
/// group per profile for its dedicated listeners (each route answering on the listeners whose paths and
/// profile include it), and builds the endpoints. Modules map into a private builder, so a module that throws adds
/// no endpoint at all; the caller adds the returned sources to the host (plugins map in parallel).
/// </summary>
public static class PluginRouteMapper
{
    /// <summary>
    /// Maps and builds one plugin's routes (request delegates and metadata: most of a start's CPU time, so
    /// plugins map and build in parallel). A plugin whose modules throw, or one of whose handlers the framework
    /// cannot bind, is failed, with the route and method named, and serves nothing.
    /// </summary>
    public static IReadOnlyList<ServedEndpointDataSource> MapAndBuild(WebApplication app, PluginEntry entry)
    {
        var building = new RouteBeingBuilt();
        try
        {
            var staging = new StagingRouteBuilder(app);
            foreach (var mount in entry.Mounts.Where(m => m.Listener is null))
                MapModules(app, entry, staging.MapGroup(mount.Prefix), mount.Prefix, [mount], building);
            foreach (var listeners in entry.Mounts.Where(m => m.Listener is not null).GroupBy(m => m.Profile))
                MapModules(app, entry, staging.MapGroup(""), "", listeners.ToList(), building);
            var sources = staging.DataSources.Select(source => new ServedEndpointDataSource(source)).ToList();
            foreach (var source in sources) source.Build();
            return sources;
        }
        catch (Exception e)
        {
            var route = building.Name is { } name ? $"route {name} cannot be built: " : "";
            entry.Fail($"route mapping failed: {route}{PluginLoader.Describe(e)}", e);
            return [];
        }
    }

    /// <summary>The route whose endpoint is being built: group conventions run just before its handler is bound.</summary>
    private sealed class RouteBeingBuilt
    {
        public string? Name { get; set; }
    }

    private static void MapModules(WebApplication app, PluginEntry entry, RouteGroupBuilder group, string prefix, IReadOnlyList<PluginMount> mounts, RouteBeingBuilt building)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint => building.Name = endpoint.DisplayName?.Replace("HTTP: ", "", StringComparison.Ordinal));
        group.WithTags(entry.Id)
            .WithMetadata(new PluginEndpointMetadata(entry.Id), new ApiProfileMetadata(mounts[0].Profile), new PluginMountMetadata(prefix))
            .RequireAuthorization() // secure by default: a route opts out with AllowAnonymous()
            .ValidateRequests();
        // after the route's own conventions, which may limit it to some profiles
        ((IEndpointConventionBuilder)group).Finally(endpoint => PlaceOnMounts(endpoint, mounts));

        foreach (var type in entry.Modules)
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
