using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>A key carries exactly the role and team it was minted with; host-admin powers only when minted as such.</summary>
public sealed class HostAdminKeyTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonObject> MintAsync(HttpClient session, object body)
    {
        using var response = await session.PostAsJsonAsync("/api/v1/api-keys", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
    }

    [Fact]
    public async Task A_viewer_key_minted_by_the_host_admin_is_a_viewer_in_its_team_only()
    {
        var minted = await MintAsync(fixture.Admin.Session, new { name = "viewer by admin", role = "viewer", teamId = fixture.TeamId });
        using var key = fixture.Host.ClientWithKey((string)minted["plaintext"]!);

        var me = await key.GetFromJsonAsync<JsonObject>("/api/v1/auth/me", Ct);
        using var users = await key.GetAsync("/api/v1/users", Ct);
        using var plugins = await key.GetAsync("/api/v1/plugins", Ct);
        using var otherTeam = await key.GetAsync($"/api/v1/teams/{fixture.OtherTeamId}/members", Ct);
        using var write = await key.PostAsJsonAsync("/greeter/greetings", new { name = "x" }, Ct);

        Assert.False((bool)me!["isHostAdmin"]!);
        Assert.Equal("viewer", (string)me["role"]!);
        Assert.Equal(fixture.TeamId, (string)me["teamId"]!);
        var permissions = me["permissions"]!.AsArray().Select(p => (string)p!).ToList();
        Assert.Contains("greeter.read", permissions);
        Assert.DoesNotContain("greeter.write", permissions);
        Assert.DoesNotContain("host.plugins.read", permissions);
        Assert.False((bool)minted["key"]!["hostAdmin"]!);
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, plugins.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherTeam.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public async Task A_host_admin_key_is_minted_explicitly_and_shown_as_such()
    {
        var minted = await MintAsync(fixture.Admin.Session, new { name = "automation", role = "admin", hostAdmin = true });
        using var key = fixture.Host.ClientWithKey((string)minted["plaintext"]!);

        var me = await key.GetFromJsonAsync<JsonObject>("/api/v1/auth/me", Ct);
        using var users = await key.GetAsync("/api/v1/users", Ct);
        var list = await fixture.Admin.Session.GetFromJsonAsync<JsonArray>("/api/v1/api-keys", Ct);

        Assert.True((bool)minted["key"]!["hostAdmin"]!);
        Assert.True((bool)me!["isHostAdmin"]!);
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.True((bool)list!.Single(k => (string)k!["id"]! == (string)minted["key"]!["id"]!)!["hostAdmin"]!);
    }

    [Fact]
    public async Task The_bootstrap_key_is_a_host_admin_key()
    {
        using var admin = fixture.Host.AdminClient();

        var me = await admin.GetFromJsonAsync<JsonObject>("/api/v1/auth/me", Ct);
        var list = await fixture.Admin.Session.GetFromJsonAsync<JsonArray>("/api/v1/api-keys", Ct);

        Assert.True((bool)me!["isHostAdmin"]!);
        Assert.True((bool)list!.Single(k => (string)k!["name"]! == "bootstrap")!["hostAdmin"]!);
    }

    [Fact]
    public async Task Only_a_host_admin_mints_a_host_admin_key()
    {
        var username = $"plain-{Guid.NewGuid():N}"[..16];
        await fixture.Admin.CreateUserAsync(username);
        using var session = await IdentityClient.SignInAsync(fixture.Host, username, IdentityClient.PasswordFor(username));

        using var response = await session.PostAsJsonAsync("/api/v1/api-keys", new { name = "escalate", role = "admin", hostAdmin = true }, Ct);
        var keys = await session.GetFromJsonAsync<JsonArray>("/api/v1/api-keys", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("hostAdmin", await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(keys!);
    }

    [Fact]
    public async Task A_host_admin_key_loses_its_powers_with_its_users_flag()
    {
        var username = $"second-{Guid.NewGuid():N}"[..16];
        var (userId, _) = await fixture.Admin.CreateUserAsync(username, isHostAdmin: true);
        using var session = await IdentityClient.SignInAsync(fixture.Host, username, IdentityClient.PasswordFor(username));
        var minted = await MintAsync(session, new { name = "automation", role = "admin", hostAdmin = true });
        using var key = fixture.Host.ClientWithKey((string)minted["plaintext"]!);
        using var before = await key.GetAsync("/api/v1/users", Ct);

        using var demote = await fixture.Admin.Session.PatchAsJsonAsync($"/api/v1/users/{userId}", new { isHostAdmin = false }, Ct);
        using var after = await key.GetAsync("/api/v1/users", Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }
}
