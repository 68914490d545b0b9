using Microsoft.AspNetCore.Http;

namespace Edgeplane.Abstractions.Routing;

/// <summary>Links to a plugin's own routes: a plugin cannot know where an operator mounts it.</summary>
public static class PluginLinks
{
    /// <summary>
    /// The absolute path of <paramref name="route"/>, a path as the plugin's module maps it (<c>/api/bookmarks/abc</c>),
    /// under the mount that serves this request (<c>/bookmarks/api/bookmarks/abc</c> at the default mount, the route itself
    /// on a dedicated listener): what a <c>Location</c> header or a link in a body carries.
    /// </summary>
    public static string PluginLink(this HttpContext http, string route) =>
        $"{http.Request.PathBase}{http.GetEndpoint()?.Metadata.GetMetadata<PluginMountMetadata>()?.PathPrefix}/{route.TrimStart('/')}";
}

/// <summary>
/// On every plugin endpoint: the path prefix of the mount it is mapped for (<c>/bookmarks</c> by default, empty on a
/// dedicated listener). Set by the host; read it through <see cref="PluginLinks.PluginLink"/>.
/// </summary>
public sealed record PluginMountMetadata(string PathPrefix);
