using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>The operator REST API: tokens, devices (filter, page), groups (static and selectors), logs, auth and profile.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class OperatorApiTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DeviceFiles> EnrollAsync(string prefix, object labels)
    {
        var device = new DeviceFiles(fixture.Work.Combine("ops"), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        var reply = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "Enroll", device.EnrollRequest(await fixture.NewTokenAsync(), labels), device.CertPath, device.KeyPath);
        Assert.True((bool)reply["ok"]!, reply.ToJsonString());
        device.Enrolled(reply);
        return device;
    }

    [Fact]
    public async Task A_tokens_secret_is_shown_once_and_only_its_hash_is_kept()
    {
        var created = await fixture.CreateTokenAsync(new { name = "once", maxUses = 3, expiresInSeconds = 600 });
        using var admin = fixture.Key("admin");
        var list = await admin.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/enroll-tokens?limit=500", Ct);
        var listed = list!["items"]!.AsArray().Single(t => (string)t!["id"]! == (string)created["id"]!)!.AsObject();
        var raw = await admin.GetStringAsync("/rollouts/api/v1/enroll-tokens?limit=500", Ct);

        Assert.StartsWith("ept_", (string)created["token"]!);
        Assert.StartsWith((string)listed["prefix"]!, (string)created["token"]!);
        Assert.Contains("BEGIN CERTIFICATE", (string)created["caCertificate"]!);
        Assert.Equal($"https://127.0.0.1:{fixture.DevicePort}", (string)created["deviceApiUrl"]!);
        Assert.False(listed.ContainsKey("token"));
        Assert.DoesNotContain((string)created["token"]!, raw);
        Assert.Equal("active", (string)listed["state"]!);
        Assert.Equal(3, (int)listed["maxUses"]!);
    }

    [Fact]
    public async Task Bad_token_input_is_a_400_naming_the_field_and_stores_nothing()
    {
        using var admin = fixture.Key("admin");
        var before = (int)(await admin.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/enroll-tokens", Ct))!["total"]!;

        using var response = await fixture.Sessions["admin"].PostAsJsonAsync("/rollouts/api/v1/enroll-tokens", new { name = "bad", maxUses = 0, groupId = "nope" }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var after = (int)(await admin.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/enroll-tokens", Ct))!["total"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem!["errors"]!["maxUses"]);
        Assert.NotNull(problem["errors"]!["groupId"]);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Groups_combine_static_members_and_label_selectors()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var a = await EnrollAsync("berlin", new { site = "berlin-" + tag });
        var b = await EnrollAsync("munich", new { site = "munich-" + tag, ring = "canary" });
        var c = await EnrollAsync("munich", new { site = "munich-" + tag });
        using var op = fixture.Key("operator");

        using var created = await op.PostAsJsonAsync("/rollouts/api/v1/groups",
            new { name = "g-" + tag, devices = new[] { a.Name }, selector = new { matchLabels = new Dictionary<string, string> { ["site"] = "munich-" + tag } } }, Ct);
        var group = await created.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var members = await op.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/groups/{group!["id"]}/devices", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(3, (int)group["members"]!);
        Assert.Equal(1, (int)group["staticMembers"]!);
        var names = members!["items"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => m!.AsObject());
        Assert.True((bool)names[a.Name]["static"]!);
        Assert.True((bool)names[b.Name]["selected"]!);
        Assert.False((bool)names[c.Name]["static"]!);

        using var narrowed = await op.PatchAsJsonAsync($"/rollouts/api/v1/groups/{group["id"]}",
            new { selector = new { matchLabels = new Dictionary<string, string> { ["site"] = "munich-" + tag, ["ring"] = "canary" } } }, Ct);
        using var addC = await op.PutAsync($"/rollouts/api/v1/groups/{group["id"]}/devices/{c.Name}", null, Ct);
        using var removeA = await op.DeleteAsync($"/rollouts/api/v1/groups/{group["id"]}/devices/{a.Name}", Ct);
        var filtered = await op.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices?group={group["id"]}", Ct);

        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, addC.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removeA.StatusCode);
        Assert.Equal(new[] { b.Name, c.Name }.Order(), filtered!["items"]!.AsArray().Select(d => (string)d!["name"]!).Order());

        using var duplicate = await op.PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "g-" + tag }, Ct);
        using var unknown = await op.PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "x-" + tag, devices = new[] { "ghost" } }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull((await unknown.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!["devices"]);
    }

    [Fact]
    public async Task Devices_filter_and_page_uniformly()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var devices = new List<DeviceFiles>();
        for (var i = 0; i < 3; i++) devices.Add(await EnrollAsync("page" + tag, new { batch = tag, idx = i.ToString() }));
        using var viewer = fixture.Key("viewer");
        await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "CheckIn", new { health = new { status = "ok" } }, devices[0].CertPath, devices[0].KeyPath);

        var page = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices?label=batch={tag}&limit=2&offset=1", Ct);
        var byName = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices?name=PAGE{tag}", Ct);
        var pending = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices?label=batch={tag}&status=pending", Ct);
        var one = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices?label=batch={tag}&label=idx=2", Ct);
        using var badLimit = await viewer.GetAsync("/rollouts/api/v1/devices?limit=0", Ct);
        using var badStatus = await viewer.GetAsync("/rollouts/api/v1/devices?status=sleeping", Ct);

        Assert.Equal(3, (int)page!["total"]!);
        Assert.Equal(2, page["items"]!.AsArray().Count);
        Assert.Equal(2, (int)page["limit"]!);
        Assert.Equal(1, (int)page["offset"]!);
        Assert.Equal(3, (int)byName!["total"]!);
        Assert.Equal(2, (int)pending!["total"]!);
        Assert.Equal(devices[2].Name, (string)one!["items"]![0]!["name"]!);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.NotNull((await badLimit.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!["limit"]);
        Assert.NotNull((await badStatus.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!["status"]);
    }

    [Fact]
    public async Task Labels_change_with_history_and_another_teams_device_is_404()
    {
        var device = await EnrollAsync("labels", new { ring = "beta" });
        using var op = fixture.Key("operator");
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);

        using var patch = await op.PatchAsJsonAsync($"/rollouts/api/v1/devices/{device.Name}", new { labels = new { ring = "stable" } }, Ct);
        using var bad = await op.PatchAsJsonAsync($"/rollouts/api/v1/devices/{device.Name}", new { labels = new Dictionary<string, string> { ["bad key!"] = "x" } }, Ct);
        var history = await op.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device.Name}/history?kind=labels_changed", Ct);
        using var foreign = await other.GetAsync($"/rollouts/api/v1/devices/{device.Name}", Ct);
        using var foreignDelete = await other.DeleteAsync($"/rollouts/api/v1/devices/{device.Name}", Ct);
        using var stillThere = await op.GetAsync($"/rollouts/api/v1/devices/{device.Name}", Ct);

        Assert.Equal("stable", (string)(await patch.Content.ReadFromJsonAsync<JsonObject>(Ct))!["labels"]!["ring"]!);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("beta", (string)history!["items"]![0]!["details"]!["from"]!["ring"]!);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignDelete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    [Fact]
    public async Task A_log_bundle_not_yet_uploaded_is_a_409_and_bad_log_requests_are_400()
    {
        var device = await EnrollAsync("logs", new { });
        using var op = fixture.Key("operator");

        using var ask = await op.PostAsJsonAsync($"/rollouts/api/v1/devices/{device.Name}/logs", new { maxBytes = 1024 }, Ct);
        var request = await ask.Content.ReadFromJsonAsync<JsonObject>(Ct);
        using var early = await op.GetAsync($"/rollouts/api/v1/devices/{device.Name}/logs/{request!["id"]}/download", Ct);
        using var bad = await op.PostAsJsonAsync($"/rollouts/api/v1/devices/{device.Name}/logs", new { maxBytes = -1, sources = new[] { "../etc" } }, Ct);
        var checkIn = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "CheckIn", new { health = new { status = "ok" } }, device.CertPath, device.KeyPath);
        var tooBig = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "UploadLogs",
            new { requestId = (string)request["id"]!, contentType = "text/plain", data = Convert.ToBase64String(new byte[2048]) }, device.CertPath, device.KeyPath);

        Assert.Equal(HttpStatusCode.Accepted, ask.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!;
        Assert.NotNull(errors["maxBytes"]);
        Assert.NotNull(errors["sources"]);
        Assert.Equal((string)request["id"]!, (string)checkIn["response"]!["logRequests"]![0]!["id"]!);
        Assert.Equal(8, (int)tooBig["code"]!); // RESOURCE_EXHAUSTED
    }

    [Fact]
    public async Task Login_me_profile_and_logout_under_the_plugins_mount_use_the_hosts_sessions()
    {
        var username = fixture.Usernames["operator"];
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = fixture.Host.BaseAddress };

        using var wrong = await browser.PostAsJsonAsync("/rollouts/api/v1/auth/login", new { username, password = "nope-nope-nope" }, Ct);
        using var login = await browser.PostAsJsonAsync("/rollouts/api/v1/auth/login", new { username, password = IdentityClient.PasswordFor(username), teamId = fixture.TeamId }, Ct);
        var session = await login.Content.ReadFromJsonAsync<JsonObject>(Ct);
        browser.DefaultRequestHeaders.Add("X-CSRF-Token", (string)session!["csrfToken"]!);
        var me = await browser.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/auth/me", Ct);
        using var patch = await browser.PatchAsJsonAsync("/rollouts/api/v1/profile", new { displayName = "Olga Operator", timezone = "Europe/Berlin" }, Ct);
        var profile = await browser.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/profile", Ct);
        using var keyPassword = await fixture.Key("operator").PatchAsJsonAsync("/rollouts/api/v1/profile", new { currentPassword = "x", newPassword = "y-long-enough-password" }, Ct);
        using var logout = await browser.PostAsync("/rollouts/api/v1/auth/logout", null, Ct);
        using var after = await browser.GetAsync("/rollouts/api/v1/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal("operator", (string)me!["role"]!);
        Assert.Equal("session", (string)me["credential"]!);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("Olga Operator", (string)profile!["displayName"]!);
        Assert.Equal("Europe/Berlin", (string)profile["timezone"]!);
        Assert.Equal(username, (string)profile["username"]!);
        Assert.Equal(HttpStatusCode.Forbidden, keyPassword.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
