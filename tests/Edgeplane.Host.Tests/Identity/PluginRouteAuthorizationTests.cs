using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>The authorization matrix on a plugin's own routes (the Greeter test plugin's greetings), plus organizations.</summary>
public sealed class PluginRouteAuthorizationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized)]
    [InlineData("viewer", HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("operator", HttpStatusCode.OK, HttpStatusCode.Created)]
    [InlineData("admin", HttpStatusCode.OK, HttpStatusCode.Created)]
    public async Task Reads_and_writes_are_gated_by_the_plugins_declared_permissions(string? role, HttpStatusCode read, HttpStatusCode write)
    {
        using var client = role is null ? new HttpClient { BaseAddress = fixture.Host.BaseAddress } : fixture.Host.ClientWithKey(fixture.Keys[role]);

        using var list = await client.GetAsync("/greeter/greetings", Ct);
        using var add = await client.PostAsJsonAsync("/greeter/greetings", new { text = $"from {role}" }, Ct);

        Assert.Equal(read, list.StatusCode);
        Assert.Equal(write, add.StatusCode);
        if (write == HttpStatusCode.Forbidden)
            Assert.Equal("greeter.write", (string)(await add.Content.ReadFromJsonAsync<JsonObject>(Ct))!["permission"]!);
    }

    [Fact]
    public async Task Another_teams_rows_are_invisible()
    {
        using var blue = fixture.Host.ClientWithKey(fixture.Keys["operator"]);
        using var red = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);
        (await blue.PostAsJsonAsync("/greeter/greetings", new { text = "blue secret" }, Ct)).EnsureSuccessStatusCode();

        var redPage = await red.GetFromJsonAsync<JsonObject>("/greeter/greetings", Ct);

        Assert.DoesNotContain(redPage!["items"]!.AsArray(), g => (string)g!["text"]! == "blue secret");
    }

    [Fact]
    public async Task Paging_out_of_range_is_a_400_naming_the_field()
    {
        using var client = fixture.Host.ClientWithKey(fixture.Keys["viewer"]);
        using var response = await client.GetAsync("/greeter/greetings?limit=0&offset=-1", Ct);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!.AsObject();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(errors.ContainsKey("limit") && errors.ContainsKey("offset"));
    }

    [Fact]
    public async Task A_host_admin_groups_teams_into_an_organization()
    {
        using var created = await fixture.Admin.Session.PostAsJsonAsync("/api/v1/organizations", new { name = "Acme Edge" }, Ct);
        var organization = await created.Content.ReadFromJsonAsync<JsonObject>(Ct);
        using var attached = await fixture.Admin.Session.PutAsJsonAsync($"/api/v1/teams/{fixture.TeamId}/organization", new { organizationId = (string)organization!["id"]! }, Ct);
        using var member = fixture.Host.ClientWithKey(fixture.Keys["viewer"]);
        var visible = await member.GetFromJsonAsync<JsonArray>("/api/v1/organizations", Ct);
        using var byKey = await fixture.Host.AdminClient().PostAsJsonAsync("/api/v1/organizations", new { name = "Not by key" }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, attached.StatusCode);
        Assert.Contains(visible!, o => (string)o!["name"]! == "Acme Edge");
        Assert.Equal(HttpStatusCode.Forbidden, byKey.StatusCode);
    }
}
