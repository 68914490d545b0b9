using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;

namespace Edgeplane.Plugins.Rollouts.Tests.Evidence;

/// <summary>Incident reporting: create, update (timeline), list and filter, link and unlink devices, team scoping.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class IncidentTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DeviceFiles> EnrollAsync(string prefix)
    {
        var device = new DeviceFiles(fixture.Work.Combine("incidents"), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        var reply = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "Enroll", device.EnrollRequest(await fixture.NewTokenAsync(), new { }), device.CertPath, device.KeyPath);
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        device.Enrolled(reply);
        return device;
    }

    private static async Task<JsonObject> CreateAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/rollouts/api/v1/incidents", body, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {json}");
        return json!;
    }

    [Fact]
    public async Task An_incident_is_created_with_devices_updated_with_a_timeline_and_resolved()
    {
        var a = await EnrollAsync("inc-a");
        var b = await EnrollAsync("inc-b");
        using var op = fixture.Key("operator");
        var occurred = DateTimeOffset.UtcNow.AddHours(-2);

        var created = await CreateAsync(op, new { title = "Boot loop after firmware 2.4", description = "Kiosks in Berlin reboot", severity = "high", occurredAt = occurred, devices = new[] { a.Name } });
        var id = (string)created["id"]!;
        using var link = await op.PutAsync($"/rollouts/api/v1/incidents/{id}/devices/{b.Name}", null, Ct);
        using var patch = await op.PatchAsJsonAsync($"/rollouts/api/v1/incidents/{id}", new { status = "mitigated", note = "rolled back to 2.3" }, Ct);
        using var note = await op.PatchAsJsonAsync($"/rollouts/api/v1/incidents/{id}", new { note = "root cause: watchdog" }, Ct);
        using var resolve = await op.PatchAsJsonAsync($"/rollouts/api/v1/incidents/{id}", new { status = "resolved", severity = "medium" }, Ct);
        var detail = await op.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/incidents/{id}", Ct);

        Assert.Equal("open", (string)created["status"]!);
        Assert.Equal(occurred.ToUnixTimeSeconds(), DateTimeOffset.Parse((string)created["occurredAt"]!).ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.NoContent, link.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        Assert.Equal("resolved", (string)detail!["status"]!);
        Assert.Equal("medium", (string)detail["severity"]!);
        Assert.NotNull(detail["resolvedAt"]);
        Assert.Equal(new[] { a.Name, b.Name }.Order(), detail["devices"]!.AsArray().Select(d => (string)d!["label"]!).Order());
        var kinds = detail["timeline"]!.AsArray().Select(e => (string)e!["kind"]!).ToArray();
        Assert.Equal(["created", "device_linked", "status_changed", "note", "status_changed"], kinds);
        var mitigated = detail["timeline"]![2]!;
        Assert.Equal("rolled back to 2.3", (string)mitigated["details"]!["note"]!);
        Assert.Equal("mitigated", (string)mitigated["details"]!["changes"]!["status"]!["to"]!);
        Assert.False(string.IsNullOrEmpty((string?)mitigated["actor"]));
    }

    [Fact]
    public async Task Incidents_list_filters_by_status_severity_and_device_and_pages()
    {
        var device = await EnrollAsync("inc-filter");
        using var op = fixture.Key("operator");
        var tag = Guid.NewGuid().ToString("N")[..6];
        var one = await CreateAsync(op, new { title = "critical " + tag, severity = "critical", devices = new[] { device.Name } });
        var two = await CreateAsync(op, new { title = "low " + tag, severity = "low", status = "investigating", devices = new[] { device.Name } });
        await CreateAsync(op, new { title = "unrelated " + tag, severity = "critical" });
        using var viewer = fixture.Key("viewer");

        var byDevice = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/incidents?device={device.Name}", Ct);
        var critical = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/incidents?device={device.Name}&severity=critical", Ct);
        var investigating = await viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/incidents?status=investigating&limit=500", Ct);
        var paged = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/incidents?device={device.Name}&limit=1&offset=1", Ct);
        using var bad = await viewer.GetAsync("/rollouts/api/v1/incidents?severity=catastrophic", Ct);

        Assert.Equal(2, (int)byDevice!["total"]!);
        Assert.Equal([(string)two["id"]!, (string)one["id"]!], byDevice["items"]!.AsArray().Select(i => (string)i!["id"]!).ToArray()); // newest first
        Assert.Equal((string)one["id"]!, (string)critical!["items"]![0]!["id"]!);
        Assert.Single(critical["items"]!.AsArray());
        Assert.Contains(investigating!["items"]!.AsArray(), i => (string)i!["id"]! == (string)two["id"]!);
        Assert.Single(paged!["items"]!.AsArray());
        Assert.Equal(2, (int)paged["total"]!);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_each_field_and_stores_nothing()
    {
        using var op = fixture.Key("operator");
        var before = (int)(await op.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/incidents", Ct))!["total"]!;

        using var response = await op.PostAsJsonAsync("/rollouts/api/v1/incidents",
            new { title = "", severity = "catastrophic", status = "closed", occurredAt = DateTimeOffset.UtcNow.AddDays(1), devices = new[] { "no-such-device" }, artifacts = new[] { "no-such-artifact" } }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var after = (int)(await op.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/incidents", Ct))!["total"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var field in new[] { "title", "severity", "status", "occurredAt", "devices", "artifacts" })
            Assert.True(problem!["errors"]![field] is not null, $"no error for {field}: {problem}");
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_device_is_unlinked_and_an_unknown_device_or_artifact_is_a_404()
    {
        var device = await EnrollAsync("inc-unlink");
        using var op = fixture.Key("operator");
        var incident = await CreateAsync(op, new { title = "flaky", severity = "low", devices = new[] { device.Name } });
        var id = (string)incident["id"]!;

        using var unlink = await op.DeleteAsync($"/rollouts/api/v1/incidents/{id}/devices/{device.Name}", Ct);
        using var again = await op.DeleteAsync($"/rollouts/api/v1/incidents/{id}/devices/{device.Name}", Ct);
        using var unknownDevice = await op.PutAsync($"/rollouts/api/v1/incidents/{id}/devices/no-such-device", null, Ct);
        using var unknownArtifact = await op.PutAsync($"/rollouts/api/v1/incidents/{id}/artifacts/no-such-artifact", null, Ct);
        var detail = await op.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/incidents/{id}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, unlink.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownDevice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownArtifact.StatusCode);
        Assert.Empty(detail!["devices"]!.AsArray());
        Assert.Equal("device_unlinked", (string)detail["timeline"]!.AsArray().Last()!["kind"]!);
    }

    [Fact]
    public async Task Another_teams_incidents_are_invisible_and_a_viewer_cannot_write()
    {
        using var op = fixture.Key("operator");
        var incident = await CreateAsync(op, new { title = "private", severity = "low" });
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);
        using var viewer = fixture.Key("viewer");

        using var get = await other.GetAsync($"/rollouts/api/v1/incidents/{incident["id"]}", Ct);
        using var patch = await other.PatchAsJsonAsync($"/rollouts/api/v1/incidents/{incident["id"]}", new { status = "resolved" }, Ct);
        var list = await other.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/incidents?limit=500", Ct);
        using var viewerWrite = await viewer.PostAsJsonAsync("/rollouts/api/v1/incidents", new { title = "x", severity = "low" }, Ct);
        var problem = await viewerWrite.Content.ReadFromJsonAsync<JsonObject>(Ct);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.DoesNotContain(list!["items"]!.AsArray(), i => (string)i!["id"]! == (string)incident["id"]!);
        Assert.Equal(HttpStatusCode.Forbidden, viewerWrite.StatusCode);
        Assert.Contains("rollouts.incidents.write", (string)problem!["detail"]!);
    }
}
