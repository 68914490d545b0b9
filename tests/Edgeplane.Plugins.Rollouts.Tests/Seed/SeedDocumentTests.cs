using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Artifacts;
using Edgeplane.Plugins.Rollouts.Tests.Registries;

namespace Edgeplane.Plugins.Rollouts.Tests.Seed;

/// <summary>
/// The fleet API document (`seeds/fleet-rollouts-api.md`) read as a client of the original would read it, against a node
/// running the seed profile on its own port: every URL is `/api/v1/...` on that one listener; a session comes from
/// `POST /api/v1/auth/login` (cookie, plus the CSRF token in `X-CSRF-Token` on changes); a key goes in
/// `Authorization: Bearer`; "a few endpoints are deliberately session-only: creating users, and managing API keys and
/// enrollment-token administration"; "a viewer-scoped credential can read but not change the fleet", refused "with a clear
/// message naming the missing permission"; "pagination and errors are uniform across list endpoints". Each table row is
/// walked with real HTTP. Written from the document, not from the plugin's code.
/// </summary>
public sealed class SeedDocumentTests(SeedNodeFixture node) : IClassFixture<SeedNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_documents_curl_example_runs_verbatim_with_only_host_and_port_changed()
    {
        const string example = """
            curl https://<your-domain>/api/v1/devices \
            -H "Authorization: Bearer <your-api-key>"
            """;
        var command = example.Replace("https://<your-domain>", $"http://127.0.0.1:{node.SeedPort}").Replace("<your-api-key>", node.Keys["viewer"]);
        var (code, output) = await RunAsync("/bin/sh", "-c", command + " --silent --show-error --write-out '\\n%{http_code}'");

        Assert.True(code == 0, output);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("200", lines[^1]);
        var page = JsonNode.Parse(string.Join('\n', lines[..^1]))!;
        Assert.NotNull(page["items"]!.AsArray());
        Assert.NotNull(page["total"]);
    }

    [Fact]
    public async Task Auth_and_profile_login_me_profile_read_and_change_and_logout()
    {
        using var anonymous = node.Anonymous();
        using (var wrong = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = node.Usernames["operator"], password = "wrong-password-123" }, Ct))
            await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);

        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = node.BaseAddress };
        using var login = await browser.PostAsJsonAsync("/api/v1/auth/login",
            new { username = node.Usernames["operator"], password = Testing.IdentityClient.PasswordFor(node.Usernames["operator"]), teamId = node.TeamId }, Ct);
        var session = await JsonAsync(login, HttpStatusCode.OK);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(cookies.GetCookies(node.BaseAddress));
        browser.DefaultRequestHeaders.Add("X-CSRF-Token", (string)session["csrfToken"]!);

        var me = await JsonAsync(await browser.GetAsync("/api/v1/auth/me", Ct), HttpStatusCode.OK);
        Assert.Equal(node.Usernames["operator"], (string)me["user"]!["username"]!);
        Assert.Equal("operator", (string)me["role"]!);
        var profile = await JsonAsync(await browser.GetAsync("/api/v1/profile", Ct), HttpStatusCode.OK);
        Assert.Equal(node.Usernames["operator"], (string)profile["username"]!);
        var changed = await JsonAsync(await browser.PatchAsJsonAsync("/api/v1/profile", new { displayName = "Night Shift", timezone = "Europe/Berlin" }, Ct), HttpStatusCode.OK);
        Assert.Equal("Night Shift", (string)changed["displayName"]!);
        Assert.Equal("Europe/Berlin", (string)changed["timezone"]!);
        using (var keyMe = node.Key("viewer"))
            Assert.Equal("viewer", (string)(await JsonAsync(await keyMe.GetAsync("/api/v1/auth/me", Ct), HttpStatusCode.OK))["role"]!);

        using (var logout = await browser.PostAsync("/api/v1/auth/logout", null, Ct))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await AssertProblemAsync(await browser.GetAsync("/api/v1/auth/me", Ct), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Users_are_listed_and_created_on_the_same_base_url_by_a_session_and_never_by_a_key()
    {
        using var admin = await node.SessionAsync("admin", Testing.HostProcess.AdminPassword, node.TeamId);
        var username = "new-" + Guid.NewGuid().ToString("N")[..10];

        var created = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/users", new { username, password = "a-long-password-4242", role = "viewer" }, Ct), HttpStatusCode.Created);
        Assert.Equal(username, (string)created["username"]!);
        Assert.Equal("viewer", (string)created["role"]!);
        Assert.False(created.ContainsKey("password"));

        var page = await PageAsync(await admin.GetAsync("/api/v1/users?limit=500", Ct));
        Assert.Contains(page["items"]!.AsArray(), u => (string)u!["username"]! == username && (string)u["role"]! == "viewer");
        Assert.Contains(page["items"]!.AsArray(), u => (string)u!["username"]! == node.Usernames["operator"] && (string)u["role"]! == "operator");
        var one = await PageAsync(await admin.GetAsync("/api/v1/users?limit=1&offset=1", Ct));
        Assert.Single(one["items"]!.AsArray());
        Assert.Equal((long)page["total"]!, (long)one["total"]!);

        // the new user signs in on the same base and works as the viewer it was made
        using var newcomer = await node.SessionAsync(username, "a-long-password-4242", node.TeamId);
        Assert.Equal("viewer", (string)(await JsonAsync(await newcomer.GetAsync("/api/v1/auth/me", Ct), HttpStatusCode.OK))["role"]!);

        // bad input: 400 naming the field, nothing created; a taken name: 409
        await AssertFieldAsync(await admin.PostAsJsonAsync("/api/v1/users", new { username = "x", password = "a-long-password-4242" }, Ct), "username");
        await AssertFieldAsync(await admin.PostAsJsonAsync("/api/v1/users", new { username = "bad-role-" + username, password = "a-long-password-4242", role = "root" }, Ct), "role");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/users", new { username, password = "a-long-password-4242" }, Ct), HttpStatusCode.Conflict);
        var after = await PageAsync(await admin.GetAsync("/api/v1/users?limit=500", Ct));
        Assert.DoesNotContain(after["items"]!.AsArray(), u => ((string)u!["username"]!).StartsWith("bad-role-", StringComparison.Ordinal));

        // "a leaked key must not be able to mint ... new users", whatever its role
        using var adminKey = node.Key("admin");
        var refused = await AssertProblemAsync(await adminKey.PostAsJsonAsync("/api/v1/users", new { username = "by-key-" + username[..6], password = "a-long-password-4242" }, Ct), HttpStatusCode.Forbidden);
        Assert.Contains("creating users needs a browser session", (string)refused["detail"]!);
        Assert.Contains("API keys cannot mint users", (string)refused["detail"]!);
    }

    [Fact]
    public async Task Api_keys_are_minted_listed_and_revoked_by_a_session_the_plaintext_shown_once()
    {
        using var operatorSession = await node.SessionAsync("operator");
        var created = await JsonAsync(await operatorSession.PostAsJsonAsync("/api/v1/api-keys", new { name = "ci", role = "viewer" }, Ct), HttpStatusCode.Created);
        var plaintext = (string)created["key"]!;
        var id = (string)created["id"]!;
        Assert.Equal("viewer", (string)created["role"]!);

        var listed = await PageAsync(await operatorSession.GetAsync("/api/v1/api-keys", Ct));
        var entry = listed["items"]!.AsArray().Single(k => (string)k!["id"]! == id)!;
        Assert.Equal("ci", (string)entry["name"]!);
        Assert.DoesNotContain(plaintext, listed.ToJsonString()); // only its hash is stored
        Assert.StartsWith((string)entry["prefix"]!, plaintext);

        using (var minted = node.Host.ClientWithKey(plaintext, node.BaseAddress))
        {
            Assert.Equal(HttpStatusCode.OK, (await minted.GetAsync("/api/v1/devices", Ct)).StatusCode);
            // nobody mints more than they hold: an operator cannot mint an admin key
            await AssertFieldAsync(await operatorSession.PostAsJsonAsync("/api/v1/api-keys", new { name = "too-much", role = "admin" }, Ct), "role");
            await AssertFieldAsync(await operatorSession.PostAsJsonAsync("/api/v1/api-keys", new { name = "", role = "viewer" }, Ct), "name");

            using (var revoke = await operatorSession.DeleteAsync($"/api/v1/api-keys/{id}", Ct))
                Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            await AssertProblemAsync(await minted.GetAsync("/api/v1/devices", Ct), HttpStatusCode.Unauthorized);
        }
        await AssertProblemAsync(await operatorSession.DeleteAsync("/api/v1/api-keys/no-such-key", Ct), HttpStatusCode.NotFound);
        // "API keys carry an operator-level permission set": without a role, an operator's key is an operator's, a viewer's a viewer's
        var unscoped = await JsonAsync(await operatorSession.PostAsJsonAsync("/api/v1/api-keys", new { name = "fleet-bot" }, Ct), HttpStatusCode.Created);
        Assert.Equal("operator", (string)unscoped["role"]!);

        // another user's key is not this user's to see or revoke
        using var viewerSession = await node.SessionAsync("viewer");
        var theirs = await PageAsync(await viewerSession.GetAsync("/api/v1/api-keys", Ct));
        Assert.DoesNotContain(theirs["items"]!.AsArray(), k => (string)k!["id"]! == id);
        Assert.Equal("viewer", (string)(await JsonAsync(await viewerSession.PostAsJsonAsync("/api/v1/api-keys", new { name = "dashboard" }, Ct), HttpStatusCode.Created))["role"]!);
    }

    [Fact]
    public async Task Session_only_routes_refuse_a_key_with_a_403_naming_the_reason_for_that_route()
    {
        using var adminKey = node.Key("admin");
        var reasons = new Dictionary<string, string>();
        async Task RefusedAsync(string route, HttpResponseMessage response, string reason)
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
            var detail = (string)problem["detail"]!;
            Assert.True(detail.Contains(reason, StringComparison.Ordinal), $"{route}: {detail}");
            reasons[route] = detail;
        }

        await RefusedAsync("POST /users", await adminKey.PostAsJsonAsync("/api/v1/users", new { username = "keyed-user", password = "a-long-password-4242" }, Ct),
            "creating users needs a browser session; API keys cannot mint users");
        await RefusedAsync("GET /api-keys", await adminKey.GetAsync("/api/v1/api-keys", Ct), "managing API keys needs a browser session");
        await RefusedAsync("POST /api-keys", await adminKey.PostAsJsonAsync("/api/v1/api-keys", new { name = "k", role = "viewer" }, Ct),
            "managing API keys needs a browser session; a key cannot mint or revoke keys");
        await RefusedAsync("DELETE /api-keys/{id}", await adminKey.DeleteAsync("/api/v1/api-keys/any", Ct), "managing API keys needs a browser session");
        await RefusedAsync("POST /enroll-tokens", await adminKey.PostAsJsonAsync("/api/v1/enroll-tokens", new { name = "by-key" }, Ct),
            "enrollment-token administration needs a browser session; a key cannot mint device credentials");
        await RefusedAsync("DELETE /enroll-tokens/{id}", await adminKey.DeleteAsync("/api/v1/enroll-tokens/any", Ct), "enrollment-token administration needs a browser session");
        await RefusedAsync("POST /auth/logout", await adminKey.PostAsync("/api/v1/auth/logout", null, Ct), "signing out ends a browser session");
        // users, keys, tokens and logout each say their own reason
        Assert.Equal(4, new[] { "POST /users", "POST /api-keys", "POST /enroll-tokens", "POST /auth/logout" }.Select(r => reasons[r]).Distinct().Count());
    }

    [Fact]
    public async Task Enrollment_tokens_are_minted_listed_and_revoked()
    {
        using var admin = await node.SessionAsync("admin");
        var created = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/enroll-tokens", new { name = "line-3", maxUses = 2 }, Ct), HttpStatusCode.Created);
        Assert.StartsWith("ept_", (string)created["token"]!);
        var id = (string)created["id"]!;
        using var adminKey = node.Key("admin");
        var listed = await PageAsync(await adminKey.GetAsync("/api/v1/enroll-tokens", Ct));
        var entry = listed["items"]!.AsArray().Single(t => (string)t!["id"]! == id)!;
        Assert.Equal("active", (string)entry["state"]!);
        Assert.DoesNotContain((string)created["token"]!, listed.ToJsonString());
        using (var revoke = await admin.DeleteAsync($"/api/v1/enroll-tokens/{id}", Ct))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var after = await PageAsync(await adminKey.GetAsync("/api/v1/enroll-tokens?limit=500", Ct));
        Assert.Equal("revoked", (string)after["items"]!.AsArray().Single(t => (string)t!["id"]! == id)!["state"]!);
        await AssertFieldAsync(await admin.PostAsJsonAsync("/api/v1/enroll-tokens", new { name = "x", maxUses = 0 }, Ct), "maxUses");
    }

    [Fact]
    public async Task Devices_are_listed_with_history_asked_for_logs_downloaded_and_deleted()
    {
        var name = "kiosk-" + Guid.NewGuid().ToString("N")[..6];
        var log = node.Work.Combine(name + ".log");
        await File.WriteAllTextAsync(log, "agent: started\n", Ct);
        await using var agent = await node.DeviceAsync(name, null, "--log-source", $"agent={log}", "--interval", "1");
        using var viewer = node.Key("viewer");
        using var operatorKey = node.Key("operator");

        var devices = await PageAsync(await viewer.GetAsync($"/api/v1/devices?name={name}", Ct));
        var device = devices["items"]!.AsArray().Single()!;
        Assert.Equal(name, (string)device["name"]!);
        var history = await PageAsync(await viewer.GetAsync($"/api/v1/devices/{name}/history", Ct));
        Assert.Contains(history["items"]!.AsArray(), e => (string)e!["kind"]! == "enrolled");

        var requested = await JsonAsync(await operatorKey.PostAsJsonAsync($"/api/v1/devices/{name}/logs", new { sources = new[] { "agent" } }, Ct), HttpStatusCode.Accepted);
        var requestId = (string)requested["id"]!;
        await agent.WaitForAsync("logs_uploaded", e => (string?)e["data"]!["request"] == requestId);
        using (var download = await viewer.GetAsync($"/api/v1/devices/{name}/logs/{requestId}/download", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("agent: started\n", await download.Content.ReadAsStringAsync(Ct));
        }

        using (var delete = await operatorKey.DeleteAsync($"/api/v1/devices/{name}", Ct))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await AssertProblemAsync(await viewer.GetAsync($"/api/v1/devices/{name}/history", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Artifacts_are_published_listed_changed_and_carry_sboms()
    {
        using var operatorKey = node.Key("operator");
        using var viewer = node.Key("viewer");
        var name = "app-" + Guid.NewGuid().ToString("N")[..6];
        var artifact = await JsonAsync(await operatorKey.PostAsync("/api/v1/artifacts", ArtifactsFixture.Upload(name, "1.0.0", "rpi4", Encoding.UTF8.GetBytes("payload")), Ct),
            HttpStatusCode.Created);
        var id = (string)artifact["id"]!;
        Assert.NotNull(artifact["sha256"]);
        Assert.NotNull(artifact["target"]); // "added to the update-signing repository before any record of it exists"

        var listed = await PageAsync(await viewer.GetAsync($"/api/v1/artifacts?name={name}", Ct));
        Assert.Equal(id, (string)listed["items"]!.AsArray().Single()!["id"]!);
        var patched = await JsonAsync(await operatorKey.PatchAsJsonAsync($"/api/v1/artifacts/{id}", new { description = "kiosk app" }, Ct), HttpStatusCode.OK);
        Assert.Equal("kiosk app", (string)patched["description"]!);
        await AssertFieldAsync(await operatorKey.PatchAsJsonAsync($"/api/v1/artifacts/{id}", new { version = "2.0.0" }, Ct), "version");

        var sbom = await JsonAsync(await operatorKey.PostAsync($"/api/v1/artifacts/{id}/sboms",
            new StringContent(Sboms.SbomTests.CycloneDx, Encoding.UTF8, "application/vnd.cyclonedx+json"), Ct), HttpStatusCode.Created);
        var sboms = await PageAsync(await viewer.GetAsync($"/api/v1/artifacts/{id}/sboms", Ct));
        Assert.Equal((string)sbom["id"]!, (string)sboms["items"]!.AsArray().Single()!["id"]!);
        using var download = await viewer.GetAsync($"/api/v1/artifacts/{id}/sboms/{(string)sbom["id"]!}", Ct);
        Assert.Equal("application/vnd.cyclonedx+json", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Sboms.SbomTests.CycloneDx, await download.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Registries_are_added_listed_browsed_by_page_and_imported_from()
    {
        if (!File.Exists("/usr/bin/docker-registry") || !File.Exists("/usr/bin/htpasswd"))
            Assert.Skip("docker-registry and apache2-utils are not installed (build/install-test-deps.sh installs them)");
        await using var registry = await RegistryTests.StartRegistryAsync();
        foreach (var tag in new[] { "1.0.0", "1.1.0", "1.2.0" }) await RegistryTests.PushAsync(registry.Url, "edge/signage", tag);
        await RegistryTests.PushAsync(registry.Url, "edge/player", "0.1.0");
        using var adminKey = node.Key("admin");
        using var viewer = node.Key("viewer");

        var created = await JsonAsync(await adminKey.PostAsJsonAsync("/api/v1/registries",
            new { name = "lab-" + Guid.NewGuid().ToString("N")[..6], url = registry.Url.ToString(), username = RegistryTests.User, password = RegistryTests.Password }, Ct), HttpStatusCode.Created);
        var id = (string)created["id"]!;
        Assert.Contains((await PageAsync(await viewer.GetAsync("/api/v1/registries", Ct)))["items"]!.AsArray(), r => (string)r!["id"]! == id);

        var repositories = await PageAsync(await viewer.GetAsync($"/api/v1/registries/{id}/repositories", Ct));
        Assert.Equal(2, (long)repositories["total"]!);
        var firstRepository = await PageAsync(await viewer.GetAsync($"/api/v1/registries/{id}/repositories?limit=1", Ct));
        Assert.Single(firstRepository["items"]!.AsArray());

        var tags = await PageAsync(await viewer.GetAsync($"/api/v1/registries/{id}/tags?repository=edge/signage&limit=2&offset=1", Ct));
        Assert.Equal(3, (long)tags["total"]!);
        Assert.Equal(2, (int)tags["limit"]!);
        Assert.Equal(1, (int)tags["offset"]!);
        Assert.Equal(2, tags["items"]!.AsArray().Count);
        foreach (var bad in new[] { "limit=0", "limit=501", "limit=ten", "offset=-1" })
            await AssertFieldAsync(await viewer.GetAsync($"/api/v1/registries/{id}/tags?repository=edge/signage&{bad}", Ct), bad.Split('=')[0]);
        await AssertFieldAsync(await viewer.GetAsync($"/api/v1/registries/{id}/repositories?limit=0", Ct), "limit");
        await AssertFieldAsync(await viewer.GetAsync($"/api/v1/registries/{id}/tags", Ct), "repository");

        using var operatorKey = node.Key("operator");
        var imported = await JsonAsync(await operatorKey.PostAsJsonAsync($"/api/v1/registries/{id}/import",
            new { repository = "edge/signage", tag = "1.2.0", deviceTypes = new[] { "rpi4" } }, Ct), HttpStatusCode.Created);
        Assert.Equal("signage", (string)imported["name"]!);
        await AssertProblemAsync(await operatorKey.PostAsJsonAsync($"/api/v1/registries/{id}/import",
            new { repository = "edge/signage", tag = "9.9.9", deviceTypes = new[] { "rpi4" } }, Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Groups_and_rollouts_created_approved_by_another_user_detailed_and_aborted()
    {
        using var operatorKey = node.Key("operator");
        using var adminKey = node.Key("admin");
        var group = await JsonAsync(await operatorKey.PostAsJsonAsync("/api/v1/groups", new { name = "ring-" + Guid.NewGuid().ToString("N")[..6] }, Ct), HttpStatusCode.Created);
        var groupId = (string)group["id"]!;
        await using (await node.DeviceAsync("screen-" + Guid.NewGuid().ToString("N")[..6], groupId, "--once"))
        {
        }
        var artifact = await JsonAsync(await operatorKey.PostAsync("/api/v1/artifacts",
            ArtifactsFixture.Upload("fw-" + Guid.NewGuid().ToString("N")[..6], "2.0.0", "rpi4", Encoding.UTF8.GetBytes("firmware")), Ct), HttpStatusCode.Created);

        var rollout = await JsonAsync(await operatorKey.PostAsJsonAsync("/api/v1/rollouts",
            new { artifactId = (string)artifact["id"]!, groupId, requiresApproval = true, phases = new[] { new { percent = 100, soakSeconds = 0 } } }, Ct), HttpStatusCode.Created);
        var id = (string)rollout["id"]!;
        Assert.Equal("pending_approval", (string)rollout["state"]!);
        await AssertProblemAsync(await operatorKey.PostAsync($"/api/v1/rollouts/{id}/approve", null, Ct), HttpStatusCode.Forbidden); // not by its creator
        Assert.Equal("running", (string)(await JsonAsync(await adminKey.PostAsync($"/api/v1/rollouts/{id}/approve", null, Ct), HttpStatusCode.OK))["state"]!);
        var detail = await JsonAsync(await node.Key("viewer").GetAsync($"/api/v1/rollouts/{id}", Ct), HttpStatusCode.OK);
        Assert.NotNull(detail["phases"]);
        Assert.Single(detail["devices"]!.AsArray());
        await AssertProblemAsync(await operatorKey.PostAsync($"/api/v1/rollouts/{id}/resume", null, Ct), HttpStatusCode.Conflict); // only a paused rollout resumes
        Assert.Equal("aborted", (string)(await JsonAsync(await operatorKey.PostAsync($"/api/v1/rollouts/{id}/abort", null, Ct), HttpStatusCode.OK))["state"]!);
        Assert.Contains((await PageAsync(await operatorKey.GetAsync("/api/v1/rollouts", Ct)))["items"]!.AsArray(), r => (string)r!["id"]! == id);
    }

    [Fact]
    public async Task Evidence_and_compliance_incidents_audit_trail_and_reports()
    {
        using var operatorKey = node.Key("operator");
        using var viewer = node.Key("viewer");
        var incident = await JsonAsync(await operatorKey.PostAsJsonAsync("/api/v1/incidents", new { title = "Screens dark at gate 4", severity = "high" }, Ct), HttpStatusCode.Created);
        Assert.Equal("open", (string)incident["status"]!);
        Assert.Contains((await PageAsync(await viewer.GetAsync("/api/v1/incidents", Ct)))["items"]!.AsArray(), i => (string)i!["id"]! == (string)incident["id"]!);

        Assert.NotNull((await JsonAsync(await viewer.GetAsync("/api/v1/reports/readiness", Ct), HttpStatusCode.OK)));
        Assert.NotNull((await JsonAsync(await viewer.GetAsync("/api/v1/reports/vulnerabilities", Ct), HttpStatusCode.OK)));
        using (var pdf = await viewer.GetAsync("/api/v1/reports/readiness?format=pdf", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType); // "report PDFs ... returned as their native content types"
        }
        using var adminKey = node.Key("admin");
        var trail = await adminKey.GetStringAsync("/api/v1/audit-trail", Ct);
        Assert.Contains("rollouts.incident.create", trail);
    }

    [Fact]
    public async Task Administration_report_branding_is_read_by_a_viewer_and_changed_by_an_admin()
    {
        using var adminKey = node.Key("admin");
        using var viewer = node.Key("viewer");
        Assert.NotNull((await JsonAsync(await viewer.GetAsync("/api/v1/report-branding", Ct), HttpStatusCode.OK))["name"]);
        var changed = await JsonAsync(await adminKey.PutAsJsonAsync("/api/v1/report-branding", new { name = "Acme Fleet", primaryColor = "#112233" }, Ct), HttpStatusCode.OK);
        Assert.Equal("Acme Fleet", (string)changed["name"]!);
        await AssertFieldAsync(await adminKey.PutAsJsonAsync("/api/v1/report-branding", new { primaryColor = "blue" }, Ct), "primaryColor");
    }

    [Fact]
    public async Task A_viewer_key_reads_everything_but_changes_nothing_and_each_403_names_the_missing_permission()
    {
        using var viewer = node.Key("viewer");
        foreach (var path in new[]
                 {
                     "/api/v1/auth/me", "/api/v1/profile", "/api/v1/devices", "/api/v1/artifacts", "/api/v1/registries", "/api/v1/groups", "/api/v1/rollouts",
                     "/api/v1/incidents", "/api/v1/reports/readiness", "/api/v1/reports/vulnerabilities", "/api/v1/report-branding",
                 })
        {
            using var response = await viewer.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }

        var writes = new (HttpMethod Method, string Path, HttpContent? Body, string Permission)[]
        {
            (HttpMethod.Delete, "/api/v1/devices/any", null, "rollouts.devices.write"),
            (HttpMethod.Post, "/api/v1/devices/any/logs", JsonContent.Create(new { }), "rollouts.logs.request"),
            (HttpMethod.Post, "/api/v1/artifacts", ArtifactsFixture.Upload("v", "1.0.0", "rpi4", [1]), "rollouts.artifacts.write"),
            (HttpMethod.Patch, "/api/v1/artifacts/any", JsonContent.Create(new { description = "x" }), "rollouts.artifacts.write"),
            (HttpMethod.Post, "/api/v1/registries", JsonContent.Create(new { name = "r", url = "http://127.0.0.1:1/" }), "rollouts.registries.write"),
            (HttpMethod.Post, "/api/v1/groups", JsonContent.Create(new { name = "g" }), "rollouts.groups.write"),
            (HttpMethod.Post, "/api/v1/rollouts", JsonContent.Create(new { artifactId = "a", groupId = "g" }), "rollouts.rollouts.write"),
            (HttpMethod.Post, "/api/v1/rollouts/any/approve", null, "rollouts.rollouts.approve"),
            (HttpMethod.Post, "/api/v1/rollouts/any/abort", null, "rollouts.rollouts.write"),
            (HttpMethod.Post, "/api/v1/incidents", JsonContent.Create(new { title = "t", severity = "low" }), "rollouts.incidents.write"),
            (HttpMethod.Put, "/api/v1/report-branding", JsonContent.Create(new { name = "n" }), "rollouts.branding.write"),
            (HttpMethod.Get, "/api/v1/enroll-tokens", null, "rollouts.enroll-tokens.read"),
            (HttpMethod.Get, "/api/v1/users", null, "rollouts.users.read"),
            (HttpMethod.Get, "/api/v1/audit-trail", null, "rollouts.audit.read"),
        };
        foreach (var (method, path, body, permission) in writes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body };
            var problem = await AssertProblemAsync(await viewer.SendAsync(request, Ct), HttpStatusCode.Forbidden);
            Assert.True(((string)problem["detail"]!).Contains(permission, StringComparison.Ordinal), $"{method} {path}: {problem}");
            Assert.Equal(permission, (string)problem["permission"]!);
        }
    }

    [Fact]
    public async Task Every_list_pages_one_way_and_refuses_bad_paging_with_a_400_naming_the_field()
    {
        var name = "pager-" + Guid.NewGuid().ToString("N")[..6];
        using var operatorKey = node.Key("operator");
        var group = await JsonAsync(await operatorKey.PostAsJsonAsync("/api/v1/groups", new { name }, Ct), HttpStatusCode.Created);
        await using (await node.DeviceAsync(name, (string)group["id"]!, "--once"))
        {
        }
        var artifact = await JsonAsync(await operatorKey.PostAsync("/api/v1/artifacts", ArtifactsFixture.Upload(name, "1.0.0", "rpi4", [1, 2, 3]), Ct), HttpStatusCode.Created);
        var artifactId = (string)artifact["id"]!;
        foreach (var _ in Enumerable.Range(0, 2))
            await JsonAsync(await operatorKey.PostAsync($"/api/v1/artifacts/{artifactId}/sboms",
                new StringContent(Sboms.SbomTests.CycloneDx, Encoding.UTF8, "application/vnd.cyclonedx+json"), Ct), HttpStatusCode.Created);
        using var adminSession = await node.SessionAsync("admin");

        var lists = new (HttpClient Client, string Path)[]
        {
            (node.Key("viewer"), "/api/v1/devices"), (node.Key("viewer"), $"/api/v1/devices/{name}/history"), (node.Key("viewer"), $"/api/v1/devices/{name}/logs"),
            (node.Key("admin"), "/api/v1/enroll-tokens"), (node.Key("viewer"), "/api/v1/artifacts"), (node.Key("viewer"), $"/api/v1/artifacts/{artifactId}/sboms"),
            (node.Key("viewer"), "/api/v1/registries"), (node.Key("viewer"), "/api/v1/groups"), (node.Key("viewer"), $"/api/v1/groups/{(string)group["id"]!}/devices"),
            (node.Key("viewer"), "/api/v1/rollouts"), (node.Key("viewer"), "/api/v1/incidents"), (node.Key("viewer"), "/api/v1/vulnerabilities"),
            (node.Key("admin"), "/api/v1/users"), (adminSession, "/api/v1/users"), (adminSession, "/api/v1/api-keys"),
        };
        foreach (var (client, path) in lists)
        {
            var page = await PageAsync(await client.GetAsync(path + "?limit=1", Ct), path);
            Assert.True(page["items"]!.AsArray().Count <= 1, $"{path}: limit=1 gave {page["items"]!.AsArray().Count}");
            Assert.Equal(1, (int)page["limit"]!);
            Assert.Equal(0, (int)page["offset"]!);
            foreach (var bad in new[] { "limit=0", "limit=501", "limit=many", "offset=-1" })
                await AssertFieldAsync(await client.GetAsync($"{path}?{bad}", Ct), bad.Split('=')[0], path);
        }
        var sboms = await PageAsync(await node.Key("viewer").GetAsync($"/api/v1/artifacts/{artifactId}/sboms?limit=1&offset=1", Ct));
        Assert.Equal(2, (long)sboms["total"]!);
        Assert.Single(sboms["items"]!.AsArray());
        foreach (var client in lists.Select(l => l.Client).Distinct()) client.Dispose();
    }

    [Fact]
    public async Task Errors_are_rfc9457_problems_on_every_route_of_the_base()
    {
        using var viewer = node.Key("viewer");
        using var anonymous = node.Anonymous();
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/devices", Ct), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await node.Host.ClientWithKey("ep_not-a-key", node.BaseAddress).GetAsync("/api/v1/devices", Ct), HttpStatusCode.Unauthorized);
        foreach (var path in new[] { "/api/v1/devices/nope", "/api/v1/artifacts/nope", "/api/v1/registries/nope", "/api/v1/groups/nope", "/api/v1/rollouts/nope", "/api/v1/incidents/nope" })
            await AssertProblemAsync(await viewer.GetAsync(path, Ct), HttpStatusCode.NotFound);
        using var operatorKey = node.Key("operator");
        await AssertFieldAsync(await operatorKey.PostAsJsonAsync("/api/v1/groups", new { name = "" }, Ct), "name");
        await AssertFieldAsync(await operatorKey.PostAsJsonAsync("/api/v1/incidents", new { title = "t", severity = "apocalyptic" }, Ct), "severity");
        using var adminKey = node.Key("admin");
        await AssertFieldAsync(await adminKey.GetAsync("/api/v1/audit-trail?from=yesterday", Ct), "from"); // a query value that does not parse is named too
        await AssertFieldAsync(await viewer.GetAsync("/api/v1/reports/incidents?to=tomorrow", Ct), "to");
    }

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text)!.AsObject();
        }
    }

    /// <summary>One list shape everywhere: <c>{ items, total, limit, offset }</c>.</summary>
    private static async Task<JsonObject> PageAsync(HttpResponseMessage response, string? what = null)
    {
        var page = await JsonAsync(response, HttpStatusCode.OK);
        Assert.True(page["items"] is JsonArray && page["total"] is not null && page["limit"] is not null && page["offset"] is not null, $"{what}: not a page: {page}");
        return page;
    }

    private static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                $"{response.RequestMessage?.RequestUri}: {response.Content.Headers.ContentType} {text}");
            var problem = JsonNode.Parse(text)!.AsObject();
            Assert.Equal((int)expected, (int)problem["status"]!);
            Assert.NotNull(problem["title"]);
            return problem;
        }
    }

    /// <summary>A 400 problem whose <c>errors</c> name <paramref name="field"/>.</summary>
    private static async Task AssertFieldAsync(HttpResponseMessage response, string field, string? what = null)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"] is JsonObject errors && errors.Any(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)),
            $"{what}: no error for '{field}': {problem}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }
}
