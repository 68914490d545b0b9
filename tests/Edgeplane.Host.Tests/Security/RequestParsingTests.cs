using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// The request readers of every plugin and the host's typed binding turn malformed input into a 4xx problem
/// naming the field, and store nothing: the cases of issue 18 and one of each kind per reader.
/// </summary>
public sealed class RequestParsingTests(AllPluginsFixture fixture) : IClassFixture<AllPluginsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.DoesNotContain("Exception", text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]?[field] is not null, $"no error for '{field}': {problem.ToJsonString()}");
    }

    [Theory]
    [InlineData("{\"username\":\"dup-a\",\"username\":\"dup-b\",\"password\":\"a-long-password-0123\"}", "username")]
    [InlineData("{\"username\":\"dup-c\",\"password\":\"a-long-password-0123\",\"password\":\"other-password-0123\"}", "password")]
    public async Task A_dns_signup_that_repeats_a_key_is_a_400_naming_it_and_creates_nobody(string body, string field)
    {
        using var response = await fixture.Host.Client.PostAsync("/dns/api/auth/signup", Json(body), Ct);

        await AssertFieldErrorAsync(response, field);
        using var admin = fixture.Host.AdminClient();
        var users = await admin.GetStringAsync("/dns/api/users", Ct);
        Assert.DoesNotContain("dup-", users);
    }

    [Theory]
    [InlineData("/dns/api/auth/signup")]
    [InlineData("/dns/api/zones/add")]
    [InlineData("/rollouts/api/v1/groups")]
    public async Task A_body_over_the_size_limit_is_a_413(string route)
    {
        // the client waits for the server's go-ahead before sending, as curl does (but longer than curl's 1 s, which a
        // loaded machine can exceed; then the client sends anyway and the refused upload breaks the pipe): the 413 comes first
        using var admin = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = fixture.Host.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Host.AdminKey);
        var big = "{\"username\":\"" + new string('a', 11 * 1024 * 1024) + "\"}";

        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = Json(big), Headers = { ExpectContinue = true } };

        using var response = await admin.SendAsync(request, Ct);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("/dns/api/auth/signup")]
    [InlineData("/dns/api/auth/login")]
    [InlineData("/dns/api/zones/add")]
    public async Task A_dns_form_over_the_limits_is_a_400_naming_the_body(string route)
    {
        using var admin = fixture.Host.AdminClient();
        using var longKey = await admin.PostAsync(route, new StringContent($"{new string('k', 3000)}=1", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        using var manyFields = await admin.PostAsync(route, new FormUrlEncodedContent(Enumerable.Range(0, 1100).Select(i => KeyValuePair.Create($"f{i}", "1"))), Ct);

        await AssertFieldErrorAsync(longKey, "body");
        await AssertFieldErrorAsync(manyFields, "body");
    }

    [Fact]
    public async Task A_rollouts_group_whose_selector_labels_are_null_is_a_400_and_stores_nothing()
    {
        using var admin = fixture.Host.AdminClient();

        using var response = await admin.PostAsync("/rollouts/api/v1/groups", Json("{\"name\":\"null-labels\",\"selector\":{\"matchLabels\":null}}"), Ct);

        await AssertFieldErrorAsync(response, "selector.matchLabels");
        using var list = await admin.GetAsync("/rollouts/api/v1/groups", Ct);
        var text = await list.Content.ReadAsStringAsync(Ct);
        Assert.True(list.StatusCode == HttpStatusCode.OK, text);
        Assert.DoesNotContain("null-labels", text);
    }

    [Fact]
    public async Task A_typed_body_with_a_repeated_key_or_a_wrong_type_is_a_400_naming_the_field()
    {
        using var admin = fixture.Host.AdminClient();

        using var repeated = await admin.PostAsync("/rollouts/api/v1/groups", Json("{\"name\":\"twice-a\",\"name\":\"twice-b\"}"), Ct);
        using var wrongType = await admin.PostAsync("/rollouts/api/v1/groups", Json("{\"name\":{\"nested\":true}}"), Ct);
        using var hostRoute = await admin.PostAsync("/api/v1/auth/login", Json("{\"username\":\"a\",\"username\":\"b\",\"password\":\"x\"}"), Ct);

        await AssertFieldErrorAsync(repeated, "name");
        await AssertFieldErrorAsync(wrongType, "name");
        await AssertFieldErrorAsync(hostRoute, "username");
        Assert.DoesNotContain("twice-", await admin.GetStringAsync("/rollouts/api/v1/groups", Ct));
    }

    [Theory]
    [InlineData("/waf/api/v1/rules", "pattern")]
    [InlineData("/waf/api/v1/blacklist", "ip")]
    [InlineData("/compute/api/nodes/create", "name")]
    [InlineData("/dns/api/zones/add", "zone")]
    public async Task Every_plugin_refuses_a_repeated_key_naming_it(string route, string key)
    {
        using var admin = fixture.Host.AdminClient();

        using var response = await admin.PostAsync(route, Json($"{{\"{key}\":\"192.0.2.1\",\"{key}\":\"192.0.2.2\"}}"), Ct);
        using var nested = await admin.PostAsync(route, Json($"{{\"{key}\":\"192.0.2.1\",\"extra\":[{{\"a\":1,\"a\":2}}]}}"), Ct);

        await AssertFieldErrorAsync(response, key);
        await AssertFieldErrorAsync(nested, "extra[0].a");
    }
}
