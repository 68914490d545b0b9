using System.Net;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Observability;

public sealed class OpenApiDocumentTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(string Text, JsonObject Document)> DocumentAsync()
    {
        using var response = await fixture.Host.Client.GetAsync("/openapi/v1.json", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{fixture.Host.Output}");
        return (text, JsonNode.Parse(text)!.AsObject());
    }

    [Fact]
    public async Task The_document_passes_a_standard_openapi_validator()
    {
        if (!ExternalTool.Exists("node") || !ExternalTool.Exists("npm"))
            Assert.Skip("node and npm are needed for the OpenAPI validator (@apidevtools/swagger-parser)");
        var (text, _) = await DocumentAsync();
        var script = Path.Combine(RepoPaths.Root, "tests", "tools", "openapi-validator", "validate.sh");

        var result = await ExternalTool.RunAsync(script, ["-"], text, Ct);

        Assert.True(result.ExitCode == 0, $"validator failed:\n{result.Output}");
        Assert.StartsWith("valid: Edgeplane", result.Output);
    }

    [Fact]
    public async Task Every_route_of_every_loaded_plugin_is_described_and_tagged_by_plugin()
    {
        var (_, document) = await DocumentAsync();

        Assert.StartsWith("3.", (string)document["openapi"]!);
        var paths = document["paths"]!.AsObject();
        Assert.Equal("greeter", (string)paths["/greeter/hello/{name}"]!["get"]!["tags"]![0]!);
        Assert.Equal("greeter", (string)paths["/greeter/boom"]!["get"]!["tags"]![0]!);
        foreach (var (path, method) in new[] { ("/metered/api/items", "post"), ("/metered/api/items", "get"), ("/metered/api/items/{id}", "get"), ("/metered/api/items/{id}", "delete") })
            Assert.Equal("metered", (string)paths[path]![method]!["tags"]![0]!);
        // a route the plugin tags itself keeps the plugin id first, then its own tag
        Assert.Equal(["metered", "metered items"], paths["/metered/api/items/{id}"]!["get"]!["tags"]!.AsArray().Select(t => (string)t!).ToList());
        Assert.Equal("host", (string)paths["/api/v1/plugins"]!["get"]!["tags"]![0]!);
        Assert.NotNull(paths["/readyz"]);
        Assert.NotNull(paths["/metrics"]);
        Assert.DoesNotContain(paths, p => p.Key.StartsWith("/throwing", StringComparison.Ordinal));
        var tags = document["tags"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        Assert.Contains("greeter", tags);
        Assert.Contains("metered", tags);
        Assert.DoesNotContain("throwing", tags);
    }

    [Fact]
    public async Task Request_and_response_bodies_have_schemas()
    {
        var (_, document) = await DocumentAsync();
        var post = document["paths"]!["/metered/api/items"]!["post"]!;

        var requestRef = (string)post["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!;
        var responseRef = (string)post["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!;
        var schemas = document["components"]!["schemas"]!;
        var request = schemas[requestRef.Split('/')[^1]]!;
        var item = schemas[responseRef.Split('/')[^1]]!;
        Assert.Equal("integer", (string)request["properties"]!["size"]!["type"]!);
        Assert.NotNull(request["properties"]!["name"]);
        Assert.NotNull(item["properties"]!["createdAt"]);
        Assert.Equal("date-time", (string)item["properties"]!["createdAt"]!["format"]!);
        Assert.NotNull(post["responses"]!["400"]);
        Assert.Equal("integer", (string)document["paths"]!["/metered/api/items"]!["get"]!["parameters"]!.AsArray()
            .First(p => (string)p!["name"]! == "limit")!["schema"]!["type"]!);
    }

    [Fact]
    public async Task Secured_routes_name_their_credentials_and_permission_and_anonymous_ones_none()
    {
        var (_, document) = await DocumentAsync();

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("http", (string)schemes["bearer"]!["type"]!);
        Assert.Equal("X-API-Key", (string)schemes["apiKeyHeader"]!["name"]!);
        Assert.Equal("X-Metered-Key", (string)schemes["header-X-Metered-Key"]!["name"]!);
        var delete = document["paths"]!["/metered/api/items/{id}"]!["delete"]!;
        var required = delete["security"]!.AsArray().SelectMany(r => r!.AsObject().Select(p => p.Key)).ToList();
        Assert.Equal(["bearer", "apiKeyHeader", "session", "header-X-Metered-Key"], required);
        Assert.Equal("metered.items.delete", (string)delete["x-edgeplane-permissions"]![0]!);
        Assert.Contains("metered.items.delete", (string)delete["description"]!);
        Assert.NotNull(delete["responses"]!["401"]);
        Assert.NotNull(delete["responses"]!["403"]);
        var hello = document["paths"]!["/greeter/hello/{name}"]!["get"]!;
        Assert.Null(hello["security"]);
        Assert.Null(hello["responses"]!["401"]);
    }

    [Fact]
    public async Task Host_admin_routes_say_so_from_their_metadata()
    {
        var (_, document) = await DocumentAsync();

        var users = document["paths"]!["/api/v1/users"]!;
        Assert.True((bool)users["get"]!["x-edgeplane-host-admin"]!);
        Assert.Contains("host administrator", (string)users["get"]!["description"]!);
        Assert.True((bool)users["post"]!["x-edgeplane-host-admin"]!);
        Assert.Equal(["session"], users["post"]!["security"]!.AsArray().SelectMany(r => r!.AsObject().Select(p => p.Key)).ToList());
        Assert.Null(document["paths"]!["/metered/api/items/{id}"]!["delete"]!["x-edgeplane-host-admin"]);
    }

    [Fact]
    public async Task The_docs_page_serves_swagger_ui_for_the_document()
    {
        using var response = await fixture.Host.Client.GetAsync("/docs/index.html", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        using var redirect = await fixture.Host.Client.GetAsync("/docs", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", html);
        Assert.Equal(HttpStatusCode.OK, redirect.StatusCode); // redirected to the page
        using var config = await fixture.Host.Client.GetAsync("/docs/index.js", Ct);
        Assert.Contains("/openapi/v1.json", await config.Content.ReadAsStringAsync(Ct));
    }
}
