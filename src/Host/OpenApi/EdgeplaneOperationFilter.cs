using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Plugins;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Edgeplane.Host.OpenApi;

/// <summary>
/// Per operation: the credentials it accepts (none for anonymous routes; API key headers, plus the
/// owning plugin's declared credential headers, otherwise), the permission it requires, and the
/// 401 / 403 problem-details responses that follow from it.
/// </summary>
public sealed class EdgeplaneOperationFilter(PluginCatalog catalog) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any()) return;

        var permissions = metadata.OfType<IAuthorizeData>()
            .Select(a => a.Policy)
            .Where(p => p is not null && p.StartsWith(PermissionEndpointExtensions.PolicyPrefix, StringComparison.Ordinal))
            .Select(p => p![PermissionEndpointExtensions.PolicyPrefix.Length..])
            .ToList();

        var sessionOnly = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == PermissionEndpointExtensions.SessionPolicy);
        operation.Security ??= [];
        foreach (var scheme in sessionOnly ? [SecuritySchemes.Session] : Schemes(metadata))
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });

        if (permissions.Count > 0)
        {
            var note = "Requires permission " + string.Join(", ", permissions.Select(p => $"`{p}`")) + ".";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? note : operation.Description + "\n\n" + note;
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-edgeplane-permissions"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray(
                permissions.Select(p => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(p)).ToArray()));
        }

        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", Problem(context, "No credential, or one that is not valid."));
        operation.Responses.TryAdd("403", Problem(context, permissions.Count > 0
            ? "The credential lacks the permission; the problem detail names it."
            : sessionOnly ? "Only a browser session may do this (never an API key)." : "The credential is not allowed to do this."));
    }

    private IEnumerable<string> Schemes(IList<object> metadata)
    {
        yield return SecuritySchemes.Bearer;
        yield return SecuritySchemes.ApiKeyHeader;
        yield return SecuritySchemes.Session;
        var plugin = metadata.OfType<PluginEndpointMetadata>().FirstOrDefault()?.PluginId;
        var manifest = catalog.Plugins.FirstOrDefault(p => p.Id == plugin && p.IsActive)?.Manifest;
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
