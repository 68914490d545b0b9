using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// The SDK's one request edge on the first-party plugins' seed routes: a body of the wrong type is a 400 naming the
/// field, a form Content-Type carrying a JSON object (<c>curl -d '{…}'</c>) binds as JSON, a form binds field by field
/// with numbers and booleans written as strings.
/// </summary>
public sealed class RequestBodyTests(AllPluginsFixture fixture) : IClassFixture<AllPluginsFixture>
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
