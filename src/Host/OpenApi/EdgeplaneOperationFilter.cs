using System.Globalization;
using System.Text.Json.Nodes;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Plugins;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Edgeplane.Host.OpenApi;

/// <summary>
/// Per operation: the credentials it accepts (none for anonymous routes; API key headers, plus the
/// owning plugin's declared credential headers, otherwise), what it requires, read from its typed requirement
/// metadata (<c>x-edgeplane-permissions</c>, session only, <c>x-edgeplane-host-admin</c>), and the
/// 401 / 403 problem-details responses that follow from it; a <c>text/*</c> request body is described as text; each
/// content type a route declares for a status keeps its own schema.
/// </summary>
public sealed class EdgeplaneOperationFilter(PluginCatalog catalog) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        TagByPlugin(operation, context, metadata);
        DescribeTextBodies(operation);
        if (metadata.OfType<NoRequestBody>().Any())
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-edgeplane-no-body"] = new JsonNodeExtension(JsonValue.Create(true));
        }
        DescribeEachContentType(operation, context, metadata);
        if (metadata.OfType<IAllowAnonymous>().Any()) return;

        var permissions = metadata.OfType<PermissionRequirement>().Select(r => r.Permission).Distinct().ToList();
        var sessionOnly = metadata.OfType<SessionRequirement>().Any();
        var hostAdmin = metadata.OfType<HostAdminRequirement>().Any();
        operation.Security ??= [];
        foreach (var scheme in sessionOnly ? [SecuritySchemes.Session] : Schemes(metadata))
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });

        if (permissions.Count > 0)
        {
            Describe(operation, "Requires permission " + string.Join(", ", permissions.Select(p => $"`{p}`")) + ".");
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-edgeplane-permissions"] = new JsonNodeExtension(new JsonArray(
                permissions.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()));
        }
        if (hostAdmin)
        {
            Describe(operation, "Only a host administrator may call it.");
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-edgeplane-host-admin"] = new JsonNodeExtension(JsonValue.Create(true));
        }

        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", Problem(context, "No credential, or one that is not valid."));
        operation.Responses.TryAdd("403", Problem(context, permissions.Count > 0
            ? "The credential lacks the permission; the problem detail names it."
            : hostAdmin ? "The caller is not a host administrator."
            : sessionOnly ? "Only a browser session may do this (never an API key)." : "The credential is not allowed to do this."));
    }

    /// <summary>
    /// A <c>text/*</c> request body is the text itself (a route that also takes JSON fields, such as a zone import
    /// of a master file, binds one type for all its content types): the document says so.
    /// </summary>
    private static void DescribeTextBodies(OpenApiOperation operation)
    {
        foreach (var (type, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
            if (type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)) media.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
    }

    /// <summary>
    /// The API explorer keeps one type per status code, the last one declared; a route that answers one status in several
    /// content types of different shapes (a report as JSON or PDF, an export as JSON lines or CSV) declares each with
    /// <c>Produces</c>, and each content type is described with its own schema.
    /// </summary>
    private static void DescribeEachContentType(OpenApiOperation operation, OperationFilterContext context, IList<object> metadata)
    {
        foreach (var produced in metadata.OfType<IProducesResponseTypeMetadata>())
        {
            if (produced.Type is null || produced.Type == typeof(void)) continue;
            if (operation.Responses?.GetValueOrDefault(produced.StatusCode.ToString(CultureInfo.InvariantCulture)) is not OpenApiResponse response) continue;
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            foreach (var contentType in produced.ContentTypes)
                response.Content[contentType] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(produced.Type, context.SchemaRepository) };
        }
    }

    private static void Describe(OpenApiOperation operation, string note) =>
        operation.Description = string.IsNullOrEmpty(operation.Description) ? note : operation.Description + "\n\n" + note;

    /// <summary>
    /// The plugin id is the operation's first tag even when the plugin tags its routes itself
    /// (<c>WithTags("dns zones")</c> replaces the route group's tag): grouping by plugin stays reliable,
    /// and the plugin's own tags follow.
    /// </summary>
    private static void TagByPlugin(OpenApiOperation operation, OperationFilterContext context, IList<object> metadata)
    {
        var plugin = metadata.OfType<PluginEndpointMetadata>().FirstOrDefault()?.PluginId;
        if (plugin is null) return;
        var others = (operation.Tags ?? new HashSet<OpenApiTagReference>()).Where(t => t.Name != plugin).ToList();
        operation.Tags = new HashSet<OpenApiTagReference> { new(plugin, context.Document) };
        foreach (var tag in others) operation.Tags.Add(tag);
    }

    private IEnumerable<string> Schemes(IList<object> metadata)
    {
        yield return SecuritySchemes.Bearer;
        yield return SecuritySchemes.ApiKeyHeader;
        yield return SecuritySchemes.Session;
        var plugin = metadata.OfType<PluginEndpointMetadata>().FirstOrDefault()?.PluginId;
        var manifest = catalog.Plugins.FirstOrDefault(p => p.Id == plugin && p.IsLive)?.Manifest;
        foreach (var header in manifest?.CredentialHeaders ?? [])
            yield return EdgeplaneDocumentFilter.CredentialHeaderScheme(header);
    }

    private static OpenApiResponse Problem(OperationFilterContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository) },
        },
    };
}
