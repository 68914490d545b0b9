using Edgeplane.Abstractions.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// Maps every <see cref="ICarterModule"/> of a plugin into a route group at the plugin's mount.
/// Modules map into a private builder first, so a module that throws adds no endpoint at all.
/// </summary>
public static class PluginRouteMapper
{
    public static void Map(WebApplication app, PluginEntry entry)
    {
        var staging = new StagingRouteBuilder(app);
        var group = staging.MapGroup(entry.Mount!.Prefix)
            .WithTags(entry.Id)
            .WithMetadata(new PluginEndpointMetadata(entry.Id))
            .RequireAuthorization(); // secure by default: a route opts out with AllowAnonymous()
        if (entry.Mount.Port is { } port) group.RequireHost($"*:{port}");

        var modules = entry.Assembly!.GetExportedTypes()
            .Where(t => typeof(ICarterModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        foreach (var type in modules)
            ((ICarterModule)ActivatorUtilities.CreateInstance(app.Services, type)).AddRoutes(group);

        foreach (var source in staging.DataSources)
            ((IEndpointRouteBuilder)app).DataSources.Add(source);
    }

    private sealed class StagingRouteBuilder(IEndpointRouteBuilder inner) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => inner.ServiceProvider;
        public ICollection<EndpointDataSource> DataSources { get; } = [];
        public IApplicationBuilder CreateApplicationBuilder() => inner.CreateApplicationBuilder();
    }
}
