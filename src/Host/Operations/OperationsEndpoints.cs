using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Operations;

/// <summary>The host's own routes: liveness and the plugin list.</summary>
public static class OperationsEndpoints
{
    public static void MapOperations(this WebApplication app)
    {
        app.MapGet("/healthz", IResult () => TypedResults.Ok(new { status = "ok" }))
            .WithTags("host").AllowAnonymous();

        app.MapGet("/api/v1/plugins", (PluginCatalog catalog) => TypedResults.Ok(
                catalog.Plugins.Select(p => new PluginInfo(p.Id, p.Manifest?.Name ?? p.Id, p.Version, p.State, p.Mounts.Count == 0 ? null : string.Join(", ", p.Mounts), p.Reason, Math.Round(p.LoadTime.TotalMilliseconds, 1)))))
            .WithTags("host").RequirePermission("host.plugins.read");
    }

    public sealed record PluginInfo(string Id, string Name, string Version, PluginState State, string? Mount, string? Reason, double LoadMs);
}
