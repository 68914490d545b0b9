using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>
/// Another team sees nothing of this team's fleet, lists included. What each role and credential gets on every route is the
/// conformance kit's permission matrix (<see cref="RolloutsConformanceTests"/>).
/// </summary>
[Collection(RolloutsCollection.Name)]
public sealed class TeamIsolationTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Another_teams_admin_sees_none_of_this_teams_fleet()
    {
        var token = await fixture.CreateTokenAsync(new { name = "private" });
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);

        var tokens = await other.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/enroll-tokens", Ct);
        using var one = await other.GetAsync($"/rollouts/api/v1/enroll-tokens/{token["id"]}", Ct);

        Assert.DoesNotContain(tokens!["items"]!.AsArray(), t => (string)t!["id"]! == (string)token["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
    }
}
