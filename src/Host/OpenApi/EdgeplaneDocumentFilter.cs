using System.Globalization;
using Edgeplane.Host.Plugins;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Edgeplane.Host.OpenApi;

/// <summary>
/// Document-wide: one tag per loaded plugin (described from its manifest) plus <c>host</c>, a
/// security scheme per credential header a plugin declares, and the server of every path that a
/// plugin serves on its own listener.
/// </summary>
public sealed class EdgeplaneDocumentFilter(PluginCatalog catalog) : IDocumentFilter
{
    public static string CredentialHeaderScheme(string header) => "header-" + header;

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = "host", Description = "The host's own routes: health, readiness, metrics, plugins." });
        foreach (var plugin in catalog.Live)
        {
            var manifest = plugin.Manifest!;
            document.Tags.Add(new OpenApiTag
            {
                Name = plugin.Id,
                Description = $"{manifest.Name} {manifest.Version} (plugin `{plugin.Id}`, mounted at {string.Join(", ", plugin.Mounts)}). {manifest.Description}".Trim(),
            });
            foreach (var header in manifest.CredentialHeaders ?? [])
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes.TryAdd(CredentialHeaderScheme(header), new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = header,
                    Description = $"An API key in the `{header}` header (declared by plugin `{plugin.Id}`).",
                });
            }
        }

        foreach (var description in context.ApiDescriptions)
        {
            var metadata = description.ActionDescriptor.EndpointMetadata;
            var pluginId = metadata.OfType<PluginEndpointMetadata>().FirstOrDefault()?.PluginId;
            var ports = metadata.OfType<IHostMetadata>().SelectMany(h => h.Hosts).Select(h => h.Split(':')[^1]).ToHashSet();
            var listeners = catalog.Live.Where(p => p.Id == pluginId).SelectMany(p => p.Mounts)
                .Select(m => m.Listener).OfType<Uri>().Where(l => ports.Contains(l.Port.ToString(CultureInfo.InvariantCulture)));
            var path = "/" + (description.RelativePath ?? "").Split('?')[0];
            if (!document.Paths.TryGetValue(path, out var item) || item is not OpenApiPathItem pathItem) continue;
            foreach (var url in listeners.Select(l => l.GetLeftPart(UriPartial.Authority)).Distinct())
            {
                pathItem.Servers ??= [];
                if (pathItem.Servers.All(s => s.Url != url))
                    pathItem.Servers.Add(new OpenApiServer { Url = url, Description = $"plugin {pluginId}'s listener" });
            }
        }
    }
}
