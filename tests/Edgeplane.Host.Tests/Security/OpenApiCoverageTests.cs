using System.Text.Json.Nodes;
using Edgeplane.Host.Tests.Observability;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// The OpenAPI document of a host with all five plugins: it passes a standard validator, and every request body it
/// describes has a schema in each of its content types (that every body a route reads is described:
/// <see cref="Plugins.RequestBodyDescriptionTests"/>).
/// </summary>
public sealed class OpenApiCoverageTests(AllPluginsFixture fixture) : IClassFixture<AllPluginsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_document_of_every_plugin_passes_a_standard_openapi_validator()
    {
        if (!ExternalTool.Exists("node") || !ExternalTool.Exists("npm"))
            Assert.Skip("node and npm are needed for the OpenAPI validator (@apidevtools/swagger-parser); build/install-test-deps.sh installs them");
        var text = await fixture.Host.Client.GetStringAsync("/openapi/v1.json", Ct);
        var script = Path.Combine(RepoPaths.Root, "tests", "tools", "openapi-validator", "validate.sh");

        var result = await ExternalTool.RunAsync(script, ["-"], text, Ct);

        Assert.True(result.ExitCode == 0, $"validator failed:\n{result.Output}");
        Assert.StartsWith("valid: Edgeplane", result.Output);
    }

    [Fact]
    public async Task Every_request_body_has_a_schema_in_each_content_type()
    {
        var document = JsonNode.Parse(await fixture.Host.Client.GetStringAsync("/openapi/v1.json", Ct))!.AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        var bodies = 0;
        var plugins = new SortedSet<string>();
        var failures = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation?["requestBody"] is not { } body) continue;
                bodies++;
                if ((string?)operation["tags"]?[0] is "compute" or "dns" or "ebpf" or "rollouts" or "waf") plugins.Add((string)operation["tags"]![0]!);
                var content = body["content"]?.AsObject();
                if (content is null || content.Count == 0) failures.Add($"{method.ToUpperInvariant()} {path}: a request body without content");
                foreach (var (type, media) in content ?? [])
                    if (!Described(media?["schema"], schemas))
                        failures.Add($"{method.ToUpperInvariant()} {path} ({type}): no schema, or one that says nothing");
            }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(bodies > 40, $"only {bodies} operations with a request body");
        Assert.Equal(["compute", "dns", "ebpf", "rollouts", "waf"], plugins);
    }

    /// <summary>A schema that names a type, a format, properties or a reference to a described component.</summary>
    private static bool Described(JsonNode? schema, JsonObject? schemas) => schema switch
    {
        JsonObject s when s["$ref"] is { } reference => schemas?[((string)reference!).Split('/')[^1]] is JsonObject target && Described(target, schemas),
        JsonObject s => s["type"] is not null || s["properties"] is not null || s["oneOf"] is not null || s["allOf"] is not null || s["anyOf"] is not null,
        _ => false,
    };
}
