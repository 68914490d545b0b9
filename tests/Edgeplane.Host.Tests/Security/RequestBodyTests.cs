using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// The SDK's one request edge on the first-party plugins' seed routes: a body of the wrong type is a 400 naming the
/// field, a form Content-Type carrying a JSON object (<c>curl -d '{…}'</c>) binds as JSON, a form binds field by field
/// with numbers and booleans written as strings.
/// </summary>
public sealed partial class RequestBodyTests(AllPluginsFixture fixture) : IClassFixture<AllPluginsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_a_400_naming_the_field()
    {
        using var admin = fixture.Host.AdminClient();

        using var tls = await admin.PostAsJsonAsync("/compute/api/nodes/create", new { name = "n1", tls = "maybe", address = "127.0.0.1" }, Ct);
        using var count = await admin.PostAsJsonAsync("/waf/api/v1/scale", new { action = "up", count = "lots" }, Ct);
        using var port = await admin.PostAsync("/compute/api/nodes/create",
            new StringContent("""{"name":"n2","port":{"number":1}}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(["tls"], (await ProblemAsync(tls))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(["count"], (await ProblemAsync(count))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(["port"], (await ProblemAsync(port))["errors"]!.AsObject().Select(e => e.Key));
    }

    /// <summary>
    /// Every plugin operation whose JSON body has a typed property, sent <c>"lots"</c> for its first number or boolean
    /// (an object for a string or a list, a string for an object): a 400 whose <c>errors</c> name that property.
    /// </summary>
    [Fact]
    public async Task Every_plugin_operation_answers_a_value_of_the_wrong_type_with_a_400_naming_the_field()
    {
        var document = JsonNode.Parse(await fixture.Host.Client.GetStringAsync("/openapi/v1.json", Ct))!.AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        using var admin = await IdentityClient.SignInAsync(fixture.Host, "admin", HostProcess.AdminPassword); // session-only routes too
        var failures = new List<string>();
        var plugins = new SortedSet<string>();
        var tried = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                if ((string?)operation?["tags"]?[0] is not ("compute" or "dns" or "ebpf" or "rollouts" or "waf") || operation["servers"] is not null) continue;
                var properties = Resolve(operation["requestBody"]?["content"]?["application/json"]?["schema"], schemas)?["properties"]?.AsObject();
                if (properties is null || WrongValue(properties, schemas) is not { } probe) continue;
                var (field, wrong) = probe;
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), PathParameter().Replace(path, "1") + RequiredQuery(operation, schemas))
                {
                    Content = new StringContent(new JsonObject { [field] = wrong }.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                using var response = await admin.SendAsync(request, Ct);
                tried++;
                plugins.Add((string)operation["tags"]![0]!);
                var text = await response.Content.ReadAsStringAsync(Ct);
                if (response.StatusCode != HttpStatusCode.BadRequest || JsonNode.Parse(text)?["errors"]?[field] is null)
                    failures.Add($"{method.ToUpperInvariant()} {path} {{\"{field}\": {wrong!.ToJsonString()}}}: {(int)response.StatusCode} {text}");
            }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(["compute", "dns", "ebpf", "rollouts", "waf"], plugins);
        Assert.True(tried > 30, $"only {tried} operations tried");
    }

    private static (string Field, JsonNode? Wrong)? WrongValue(JsonObject properties, JsonObject? schemas)
    {
        var typed = properties.Select(p => (p.Key, Type: TypeOf(Resolve(p.Value, schemas)))).ToList();
        foreach (var (name, type) in typed)
            if (type is "integer" or "number" or "boolean") return (name, JsonValue.Create("lots"));
        foreach (var (name, type) in typed)
            if (type is "string" or "array") return (name, new JsonObject { ["lots"] = 1 });
            else if (type is "object") return (name, JsonValue.Create("lots"));
        return null;
    }

    /// <summary>The operation's required query parameters, each with a value of its type.</summary>
    private static string RequiredQuery(JsonNode operation, JsonObject? schemas)
    {
        var required = (operation["parameters"]?.AsArray() ?? []).Where(p => (string?)p?["in"] == "query" && (bool?)p?["required"] == true)
            .Select(p => $"{p!["name"]}={TypeOf(Resolve(p["schema"], schemas)) switch { "integer" or "number" => "1", "boolean" => "true", _ => "x" }}");
        return string.Join("&", required) is { Length: > 0 } query ? "?" + query : "";
    }

    /// <summary>A schema's type (<c>"integer"</c> or <c>["integer", "null"]</c>); <c>object</c> for one with properties.</summary>
    private static string? TypeOf(JsonObject? schema) => schema?["type"] switch
    {
        JsonValue value => (string?)value,
        JsonArray types => types.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
        _ => schema?["properties"] is not null ? "object" : null,
    };

    private static JsonObject? Resolve(JsonNode? schema, JsonObject? schemas)
    {
        for (var i = 0; i < 8 && schema is JsonObject o; i++)
        {
            if ((string?)o["$ref"] is { } reference) schema = schemas?[reference.Split('/')[^1]];
            else if (o["allOf"] is JsonArray { Count: > 0 } all) schema = all[0];
            else if ((o["oneOf"] ?? o["anyOf"]) is JsonArray { Count: > 0 } any) schema = any.FirstOrDefault(s => (string?)s?["type"] != "null");
            else return o;
        }
        return null;
    }

    [GeneratedRegex(@"\{[^}/]+\}")]
    private static partial Regex PathParameter();

    [Fact]
    public async Task A_form_content_type_carrying_a_json_object_binds_as_json()
    {
        using var admin = fixture.Host.AdminClient();

        using var response = await admin.PostAsync("/compute/api/getInstance",
            new StringContent("""{"id":"no-such-instance"}""", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);

        var errors = (await ProblemAsync(response))["errors"]!.AsObject();
        Assert.Contains("no instance 'no-such-instance'", (string)errors["id"]![0]!);
    }

    [Fact]
    public async Task A_form_binds_numbers_and_booleans_written_as_strings()
    {
        using var admin = fixture.Host.AdminClient();

        HttpRequestMessage Delete(string force) => new(HttpMethod.Delete, "/compute/api/nodes/delete")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["nodeId"] = "no-such-node", ["force"] = force }),
        };
        using var response = await admin.SendAsync(Delete("on"), Ct);
        using var wrong = await admin.SendAsync(Delete("sometimes"), Ct);

        Assert.Contains("no node 'no-such-node'", (string)(await ProblemAsync(response))["errors"]!["nodeId"]![0]!);
        Assert.Equal(["force"], (await ProblemAsync(wrong))["errors"]!.AsObject().Select(e => e.Key));
    }
}
