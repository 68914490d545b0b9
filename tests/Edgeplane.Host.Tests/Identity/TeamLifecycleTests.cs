using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>Renaming and deleting teams (<c>ITeamService</c> behind <c>PATCH/DELETE /api/v1/teams/{id}</c>).</summary>
public sealed class TeamLifecycleTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Admin => fixture.Admin.Session;

    [Fact]
    public async Task A_team_admin_renames_the_team_and_bad_or_taken_names_change_nothing()
    {
        var teamId = await fixture.Admin.CreateTeamAsync($"rename-{Guid.NewGuid():N}"[..20]);

        using var renamed = await Admin.PatchAsJsonAsync($"/api/v1/teams/{teamId}", new { name = "renamed-team" }, Ct);
        using var blank = await Admin.PatchAsJsonAsync($"/api/v1/teams/{teamId}", new { name = " " }, Ct);
        using var taken = await Admin.PatchAsJsonAsync($"/api/v1/teams/{teamId}", new { name = "blue" }, Ct);

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Contains("name", await blank.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var teams = await Admin.GetFromJsonAsync<JsonArray>("/api/v1/teams", Ct);
        Assert.Equal("renamed-team", (string)teams!.Single(t => (string)t!["id"]! == teamId)!["name"]!);
    }

    [Fact]
    public async Task Deleting_a_team_ends_its_keys_at_once()
    {
        var teamId = await fixture.Admin.CreateTeamAsync($"doomed-{Guid.NewGuid():N}"[..20]);
        var key = await fixture.Admin.KeyForNewMemberAsync(teamId, "admin");
        using var member = fixture.Host.ClientWithKey(key);
        using (var before = await member.GetAsync("/api/v1/auth/me", Ct))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        using var deleted = await Admin.DeleteAsync($"/api/v1/teams/{teamId}", Ct);
        using var again = await Admin.DeleteAsync($"/api/v1/teams/{teamId}", Ct);
        using var after = await member.GetAsync("/api/v1/auth/me", Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_personal_team_cannot_be_deleted()
    {
        var (_, personalTeamId) = await fixture.Admin.CreateUserAsync($"solo-{Guid.NewGuid():N}"[..16]);

        using var response = await Admin.DeleteAsync($"/api/v1/teams/{personalTeamId}", Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var teams = await Admin.GetFromJsonAsync<JsonArray>("/api/v1/teams", Ct);
        Assert.Contains(teams!, t => (string)t!["id"]! == personalTeamId);
    }

    [Fact]
    public async Task Members_who_are_not_team_admins_and_api_keys_cannot_rename_or_delete()
    {
        using var operatorKey = fixture.Host.ClientWithKey(fixture.Keys["operator"]);
        using var adminKey = fixture.Host.ClientWithKey(fixture.Keys["admin"]);
        var username = $"op-{Guid.NewGuid():N}"[..16];
        var (userId, _) = await fixture.Admin.CreateUserAsync(username);
        await fixture.Admin.AddMemberAsync(fixture.TeamId, userId, "operator");
        using var operatorSession = await IdentityClient.SignInAsync(fixture.Host, username, IdentityClient.PasswordFor(username), fixture.TeamId);

        using var bySession = await operatorSession.PatchAsJsonAsync($"/api/v1/teams/{fixture.TeamId}", new { name = "taken-over" }, Ct);
        using var byKey = await adminKey.DeleteAsync($"/api/v1/teams/{fixture.TeamId}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, bySession.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byKey.StatusCode);
        var teams = await Admin.GetFromJsonAsync<JsonArray>("/api/v1/teams", Ct);
        Assert.Equal("blue", (string)teams!.Single(t => (string)t!["id"]! == fixture.TeamId)!["name"]!);
    }
}
