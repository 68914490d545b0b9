using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Identity;

public sealed class AuthorizationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Key(string role) => fixture.Host.ClientWithKey(fixture.Keys[role]);

    [Fact]
    public async Task No_credential_is_401_problem()
    {
        using var response = await fixture.Host.Client.GetAsync("/api/v1/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_bad_key_is_401()
    {
        using var client = fixture.Host.ClientWithKey("ep_not-a-real-key-000000000000000000000000000");
        using var response = await client.GetAsync("/api/v1/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("Authorization", "Bearer {0}")]
    [InlineData("Authorization", "apiKey {0}")]
    [InlineData("X-API-Key", "{0}")]
    public async Task Every_accepted_header_carries_a_key(string header, string format)
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation(header, string.Format(format, fixture.Keys["viewer"]));

        var me = await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me", Ct);

        Assert.Equal("viewer", (string)me!["role"]!);
        Assert.Equal(fixture.TeamId, (string)me["teamId"]!);
        Assert.Equal("apiKey", (string)me["credential"]!);
    }

    [Theory]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    [InlineData("operator", HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.OK)]
    public async Task A_route_needing_a_permission_answers_by_role(string role, HttpStatusCode expected)
    {
        using var client = Key(role);
        using var response = await client.GetAsync("/api/v1/plugins", Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
            Assert.Equal("host.plugins.read", (string)problem!["permission"]!);
            Assert.Contains("host.plugins.read", (string)problem["detail"]!);
        }
    }

    [Fact]
    public async Task An_api_key_never_creates_users_or_keys_whatever_its_role()
    {
        using var client = fixture.Host.AdminClient();

        using var user = await client.PostAsJsonAsync("/api/v1/users", new { username = "sneaky", password = "long-enough-password" }, Ct);
        using var key = await client.PostAsJsonAsync("/api/v1/api-keys", new { name = "x", role = "admin" }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, key.StatusCode);
        Assert.Contains("session", (string)(await user.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!);
    }

    [Fact]
    public async Task Each_session_only_route_tells_a_key_its_own_reason()
    {
        using var client = fixture.Host.AdminClient();
        var routes = new (HttpMethod Method, string Path, string Reason)[]
        {
            (HttpMethod.Post, "/api/v1/auth/logout", "signing out ends a browser session"),
            (HttpMethod.Post, "/api/v1/auth/password", "changing a password needs a browser session"),
            (HttpMethod.Post, "/api/v1/users", "creating users needs a browser session; API keys cannot mint users"),
            (HttpMethod.Patch, "/api/v1/users/any", "API keys cannot administer users"),
            (HttpMethod.Post, "/api/v1/teams", "API keys cannot manage teams"),
            (HttpMethod.Delete, "/api/v1/teams/any", "API keys cannot manage teams"),
            (HttpMethod.Put, "/api/v1/teams/any/members/any", "API keys cannot grant or remove roles"),
            (HttpMethod.Post, "/api/v1/api-keys", "managing API keys needs a browser session; a key cannot mint or revoke keys"),
            (HttpMethod.Delete, "/api/v1/api-keys/any", "a key cannot mint or revoke keys"),
            (HttpMethod.Post, "/api/v1/organizations", "managing organizations needs a browser session"),
        };
        foreach (var (method, path, reason) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Delete ? null : JsonContent.Create(new { }) };
            using var response = await client.SendAsync(request, Ct);
            var detail = (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))?["detail"];
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden && detail?.Contains(reason, StringComparison.Ordinal) == true, $"{method} {path}: {(int)response.StatusCode} {detail}");
        }
    }

    [Fact]
    public async Task Another_teams_object_is_404()
    {
        using var client = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);
        using var response = await client.GetAsync($"/api/v1/teams/{fixture.TeamId}/members", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        var plaintext = await fixture.Admin.KeyForNewMemberAsync(fixture.TeamId, "viewer");
        using var client = fixture.Host.ClientWithKey(plaintext);
        var me = await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me", Ct);

        using var revoke = await fixture.Admin.Session.DeleteAsync($"/api/v1/api-keys/{(string)me!["apiKeyId"]!}", Ct);
        using var after = await client.GetAsync("/api/v1/auth/me", Ct);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task An_expired_key_is_401()
    {
        // The member is made first and the key last, so a slow machine spends none of the key's life on making the user.
        using var session = (await fixture.Admin.NewMemberAsync(fixture.TeamId, "viewer")).Session;
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(15);
        using var minted = await session.PostAsJsonAsync("/api/v1/api-keys", new { name = "expiring", teamId = fixture.TeamId, role = "viewer", expiresAt }, Ct);
        var plaintext = (string)(await minted.Content.ReadFromJsonAsync<JsonObject>(Ct))!["plaintext"]!;
        using var client = fixture.Host.ClientWithKey(plaintext);
        using var before = await client.GetAsync("/api/v1/auth/me", Ct);
        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500), Ct);
        using var after = await client.GetAsync("/api/v1/auth/me", Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_session_write_without_the_csrf_header_is_403()
    {
        using var session = await IdentityClient.SignInAsync(fixture.Host, "admin", HostProcess.AdminPassword);
        session.DefaultRequestHeaders.Remove("X-CSRF-Token");

        using var response = await session.PostAsJsonAsync("/api/v1/teams", new { name = "csrf-victim" }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("X-CSRF-Token", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_the_field_and_changes_nothing()
    {
        using var response = await fixture.Admin.Session.PostAsJsonAsync("/api/v1/users", new { username = "ok-name", password = "short" }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        using var users = fixture.Host.AdminClient();
        var list = await users.GetFromJsonAsync<JsonArray>("/api/v1/users", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem!["errors"]!["password"]);
        Assert.DoesNotContain(list!, u => (string)u!["username"]! == "ok-name");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_not_a_500()
    {
        using var content = new StringContent("{ \"name\": ", System.Text.Encoding.UTF8, "application/json");
        using var response = await fixture.Admin.Session.PostAsync("/api/v1/teams", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Every_write_is_in_the_audit_trail()
    {
        await fixture.Admin.CreateTeamAsync("audited-team");
        using var admin = fixture.Host.AdminClient();

        var lines = (await admin.GetStringAsync("/api/v1/audit?format=jsonl&action=POST", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var csv = await admin.GetStringAsync("/api/v1/audit?format=csv", Ct);

        Assert.Contains(lines, l => l.Contains("\"action\":\"POST /api/v1/teams\"") && l.Contains("\"status\":201"));
        Assert.StartsWith("id,at,user_id", csv);
    }

    [Fact]
    public async Task A_write_the_exception_handler_refuses_is_audited_with_the_status_it_was_answered()
    {
        using var admin = fixture.Host.AdminClient();
        async Task<int> LoginRows(int status) =>
            (await admin.GetStringAsync("/api/v1/audit?format=jsonl&action=POST", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Count(l => l.Contains("\"action\":\"POST /api/v1/auth/login\"") && l.Contains($"\"status\":{status}"));
        var (refusedBefore, answeredBefore) = (await LoginRows(400), await LoginRows(200));

        // the body does not parse: the request delegate throws, and the exception handler, outside the audit middleware, answers 400
        using var body = new StringContent("{\"username\": \"admin\", \"password\": ", System.Text.Encoding.UTF8, "application/json");
        using var response = await fixture.Host.Client.PostAsync("/api/v1/auth/login", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(refusedBefore + 1, await LoginRows(400));
        Assert.Equal(answeredBefore, await LoginRows(200));
    }
}
