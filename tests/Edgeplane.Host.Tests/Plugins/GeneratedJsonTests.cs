using System.Text.Json.Serialization;
using Edgeplane.Host.Composition;
using Edgeplane.Host.Plugins;
using Edgeplane.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// Request delegates read the JSON metadata of the bodies they bind when the endpoints are built at start;
/// generated metadata keeps that cheap. A body type added without it still works (reflection), but slows
/// every start: this finds it.
/// </summary>
public sealed class GeneratedJsonTests
{
    [Fact]
    public async Task Every_request_body_a_route_binds_has_generated_json_metadata()
    {
        using var dir = new TempDirectory();
        await using var app = await InProcessHost.BuildAsync(dir);
        var plugins = app.Services.GetRequiredService<PluginCatalog>().Plugins;
        Assert.Equal(["compute", "dns", "ebpf", "rollouts", "waf"], plugins.Where(p => p.State == PluginState.Mapped).Select(p => p.Id).Order());

        var bodies = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints)
            .SelectMany(e => e.Metadata.GetOrderedMetadata<IAcceptsMetadata>()).Where(a => a.ContentTypes.Contains("application/json"))
            .Select(a => a.RequestType).OfType<Type>().Distinct().ToList();
        var generated = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions
            .TypeInfoResolverChain.Select(r => r is StrictRequestJson strict ? strict.Inner : r).OfType<JsonSerializerContext>().ToList();

        Assert.Contains(bodies, t => t.Name == "LoginRequest");
        Assert.Empty(bodies.Where(t => !generated.Any(c => c.GetTypeInfo(t) is not null)).Select(t => t.FullName));
    }
}
