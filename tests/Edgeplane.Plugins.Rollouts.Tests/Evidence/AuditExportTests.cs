using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;

namespace Edgeplane.Plugins.Rollouts.Tests.Evidence;

/// <summary>Audit-trail export: this plugin's requests and events for the caller's team, as JSON lines and CSV.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class AuditExportTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_export_holds_this_plugins_requests_and_events_for_the_team_only()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var title = "audited " + Guid.NewGuid().ToString("N")[..6];
        using var op = fixture.Key("operator");
        using var created = await op.PostAsJsonAsync("/rollouts/api/v1/incidents", new { title, severity = "low" }, Ct);
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);
        using var otherIncident = await other.PostAsJsonAsync("/rollouts/api/v1/incidents", new { title = "other team", severity = "low" }, Ct);
        using var hostRequest = await fixture.Sessions["admin"].PatchAsJsonAsync("/api/v1/profile", new { }, Ct); // a host route: not this plugin's
        using var admin = fixture.Key("admin");
        var from = Uri.EscapeDataString(since.ToString("O"));

        var lines = (await admin.GetStringAsync($"/rollouts/api/v1/audit-trail?from={from}", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        using var csvResponse = await admin.GetAsync($"/rollouts/api/v1/audit-trail?format=csv&from={from}&action=rollouts.incident.", Ct);
        var csv = await csvResponse.Content.ReadAsStringAsync(Ct);
        using var bad = await admin.GetAsync("/rollouts/api/v1/audit-trail?format=xml", Ct);
        using var otherTeam = await admin.GetAsync($"/rollouts/api/v1/audit-trail?teamId={fixture.OtherTeamId}", Ct);
        using var asOperator = await op.GetAsync("/rollouts/api/v1/audit-trail", Ct);
        using var hostAdmin = fixture.Host.ClientWithKey(fixture.Host.AdminKey);
        using var noSuchTeam = await hostAdmin.GetAsync("/rollouts/api/v1/audit-trail?teamId=nosuchteam", Ct);
        using var anotherTeam = await hostAdmin.GetAsync($"/rollouts/api/v1/audit-trail?teamId={fixture.OtherTeamId}", Ct);

        Assert.All(lines, l => Assert.Equal(fixture.TeamId, (string?)l["teamId"]));
        Assert.All(lines, l => Assert.True((string?)l["plugin"] == "rollouts" || ((string)l["action"]!).StartsWith("rollouts.", StringComparison.Ordinal), l.ToJsonString()));
        Assert.Contains(lines, l => (string)l["action"]! == "rollouts.incident.create" && (string)l["target"]! == id && ((string)l["details"]!).Contains(title));
        Assert.Contains(lines, l => (string)l["plugin"]! == "rollouts" && ((string)l["action"]!).StartsWith("POST", StringComparison.Ordinal) && (int?)l["status"] == 201);
        Assert.DoesNotContain(lines, l => ((string?)l["details"] ?? "").Contains("other team"));
        var times = lines.Select(l => DateTimeOffset.Parse((string)l["at"]!)).ToList();
        Assert.Equal(times.Order(), times);

        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,at,user_id,api_key_id,actor,team_id,plugin,action,target,status,source_address,details", rows[0].TrimEnd('\r'));
        Assert.Contains(rows, r => r.Contains("rollouts.incident.create") && r.Contains(id));
        Assert.All(rows.Skip(1), r => Assert.Contains("rollouts.incident.", r));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherTeam.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asOperator.StatusCode);
        // a host administrator may name any team the host has; a team it does not have is a 404, not an empty trail
        Assert.Equal(HttpStatusCode.NotFound, noSuchTeam.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anotherTeam.StatusCode);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=cmd()", "'=cmd()")]
    public void Csv_cells_are_quoted_and_formulas_neutralised(string value, string expected) =>
        Assert.Equal(expected, Api.AuditExportModule.Quote(value));
}
