using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Artifacts;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Deployments;

/// <summary>
/// Staged rollouts over 20 real device-agent processes: approval by another user, every phase with its soak, an
/// offline device that picks the deployment up when it returns, an injected failure rate that pauses the rollout
/// (event + webhook), resume, and abort (no new installs; a pending device is told).
/// </summary>
public sealed class DeploymentTests : IAsyncLifetime
{
    private const int Devices = 20;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HostProcess _host = null!;
    private WebhookReceiver _webhook = null!;
    private readonly TempDirectory _work = new();
    private readonly List<AgentProcess?> _agents = [];
    private readonly List<List<string>> _agentArgs = [];
    private HttpClient _operator = null!, _admin = null!, _viewer = null!;
    private string _groupId = "";

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // no host or agent process outlives a failed start
            throw;
        }
    }

    private List<JsonObject> WebhookEvents() => _webhook.Calls.Select(c => JsonNode.Parse(c.Body)!.AsObject()).ToList();

    private async Task StartAsync()
    {
        _webhook = await WebhookReceiver.StartAsync();
        var port = FreePort.Next();
        var settings = RolloutsFixture.Settings(port);
        settings["Edgeplane__Plugins__rollouts__Deployments__Interval"] = "00:00:01";
        settings["Edgeplane__Plugins__rollouts__Deployments__WebhookUrl"] = _webhook.Url.ToString();
        await ArtifactsFixture.UseDatabaseAsync(settings, _work.Path);
        _host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Rollouts"], Environment = settings });
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 200)
            {
                await Task.Delay(50);
            }
        }
        using var identity = await IdentityClient.SignInAsAdminAsync(_host);
        var team = await identity.CreateTeamAsync("deploy");
        _operator = _host.ClientWithKey(await identity.KeyForNewMemberAsync(team, "operator"));
        _viewer = _host.ClientWithKey(await identity.KeyForNewMemberAsync(team, "viewer"));
        _admin = _host.ClientWithKey(await identity.KeyForNewMemberAsync(team, "admin"));
        var adminName = $"admin-{Guid.NewGuid():N}"[..20];
        var (adminId, _) = await identity.CreateUserAsync(adminName);
        await identity.AddMemberAsync(team, adminId, "admin");
        using var adminSession = await IdentityClient.SignInAsync(_host, adminName, IdentityClient.PasswordFor(adminName), team);
        using var tokenResponse = await adminSession.PostAsJsonAsync("/rollouts/api/v1/enroll-tokens", new { name = "fleet", maxUses = Devices, expiresInSeconds = 3600 });
        var tokenJson = await tokenResponse.Content.ReadFromJsonAsync<JsonObject>();
        var token = (string)tokenJson!["token"]!;
        var ca = _work.Combine("ca.pem");
        await File.WriteAllTextAsync(ca, (string)tokenJson["caCertificate"]! is { Length: > 0 } pem ? pem
            : (string)(await _viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/device-ca"))!["certificate"]!);
        using var group = await _operator.PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "kiosks", selector = new { matchLabels = new { fleet = "kiosk" } } });
        _groupId = (string)(await group.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        for (var i = 0; i < Devices; i++)
        {
            var args = new List<string>
            {
                "--server", $"https://127.0.0.1:{port}", "--ca", ca, "--state-dir", _work.Combine($"agent-{i}"), "--token", token, "--name", $"kiosk-{i:00}",
                "--device-type", "rpi4", "--label", "fleet=kiosk",
            };
            _agentArgs.Add(args);
            _agents.Add(AgentProcess.Start(args));
            if (i % 5 == 4) await _agents[i]!.WaitForAsync("enrolled", timeout: TimeSpan.FromSeconds(120)); // five at a time on a small machine
        }
        try
        {
            foreach (var agent in _agents) await agent!.WaitForAsync("enrolled", timeout: TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\nCA: " + await File.ReadAllTextAsync(ca) + "\nHOST:\n" + string.Join('\n', _host.Output.Split('\n').TakeLast(60)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _agents.Count; i++)
        {
            try
            {
                if (_agents[i] is { } agent) await agent.DisposeAsync();
            }
            catch (Exception)
            {
                // keep stopping the others
            }
            _agents[i] = null;
        }
        _operator?.Dispose();
        _admin?.Dispose();
        _viewer?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (_webhook is not null) await _webhook.DisposeAsync();
        _work.Dispose();
    }

    private async Task<string> PublishAsync(string version)
    {
        using var response = await _operator.PostAsync("/rollouts/api/v1/artifacts", ArtifactsFixture.Upload("fw", version, "rpi4", System.Text.Encoding.UTF8.GetBytes($"firmware {version} " + new string('x', 5000))), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
    }

    private async Task<JsonObject> CreateAsync(object body)
    {
        using var response = await _operator.PostAsJsonAsync("/rollouts/api/v1/rollouts", body, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, json?.ToJsonString());
        return json!;
    }

    private Task<JsonObject?> DetailAsync(string id) => _viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/rollouts/{id}", Ct);

    private async Task<JsonObject> WaitForAsync(string id, Func<JsonObject, bool> condition, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject? detail = null;
        while (DateTime.UtcNow < deadline)
        {
            detail = await DetailAsync(id);
            if (condition(detail!)) return detail!;
            await Task.Delay(500, Ct);
        }
        throw new TimeoutException($"rollout {id} never reached '{what}': {detail}");
    }

    private static IEnumerable<JsonObject> DevicesOf(JsonObject detail, int? phase = null) =>
        detail["devices"]!.AsArray().Select(d => d!.AsObject()).Where(d => phase is null || (int)d["phase"]! == phase);

    private int IndexOf(JsonObject device) => int.Parse(((string)device["name"]!)["kiosk-".Length..]);

    private async Task StopAsync(int i)
    {
        await _agents[i]!.DisposeAsync();
        _agents[i] = null;
    }

    private void Restart(int i) => _agents[i] = AgentProcess.Start(_agentArgs[i]);

    [Fact]
    public async Task Rollout_through_every_phase_pauses_on_failures_resumes_and_aborts()
    {
        // ---- A: approval by someone else, three phases with soak, an offline device picks it up later ----
        var fw2 = await PublishAsync("2.0.0");
        await StopAsync(19);
        await Task.Delay(3500, Ct); // three check-in intervals: kiosk-19 is offline
        var a = await CreateAsync(new
        {
            artifactId = fw2, groupId = _groupId, requiresApproval = true, failureThreshold = 10,
            phases = new[] { new { percent = 5, soakSeconds = 2 }, new { percent = 25, soakSeconds = 2 }, new { percent = 100, soakSeconds = 0 } },
        });
        var aId = (string)a["id"]!;
        Assert.Equal("pending_approval", (string)a["state"]!);
        Assert.Equal([1, 4, 15], a["phases"]!.AsArray().Select(p => (int)p!["devices"]!));
        using (var self = await _operator.PostAsync($"/rollouts/api/v1/rollouts/{aId}/approve", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
            Assert.Contains("someone other than its creator", await self.Content.ReadAsStringAsync(Ct));
        }
        await Task.Delay(1500, Ct);
        Assert.All(DevicesOf((await DetailAsync(aId))!), d => Assert.Equal("pending", (string)d["state"]!)); // nothing before approval
        using (var approved = await _admin.PostAsync($"/rollouts/api/v1/rollouts/{aId}/approve", null, Ct)) Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var done = await WaitForAsync(aId, d => (string)d["state"]! == "completed", "completed", 180);
        var phases = done["phases"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var starts = phases.Select(p => DateTimeOffset.Parse((string)p["startedAt"]!)).ToList();
        Assert.True(starts[1] - starts[0] >= TimeSpan.FromSeconds(2), "phase 1 waited for phase 0's soak");
        Assert.True(starts[2] - starts[1] >= TimeSpan.FromSeconds(2), "phase 2 waited for phase 1's soak");
        foreach (var device in DevicesOf(done).Where(d => (int)d["phase"]! < 2))
            Assert.True(DateTimeOffset.Parse((string)device["updatedAt"]!) <= starts[(int)device["phase"]! + 1], $"{device} finished before the next phase");
        foreach (var device in DevicesOf(done))
        {
            var expected = (string)device["name"]! == "kiosk-19" ? "pending" : "succeeded";
            Assert.Equal(expected, (string)device["state"]!);
            if (expected == "succeeded")
                Assert.True(DateTimeOffset.Parse((string)device["startedAt"]!) >= starts[(int)device["phase"]!], $"{device} started only once its phase was released");
        }
        Assert.Contains("deployment_verified", _agents[0]!.Output);
        Restart(19); // back online: it picks the deployment up
        await _agents[19]!.WaitForAsync("deployment_succeeded", e => (string)e["data"]!["rolloutId"]! == aId, TimeSpan.FromSeconds(60));
        done = (await DetailAsync(aId))!;
        Assert.Equal(Devices, (int)done["totals"]!["succeeded"]!);
        await WaitUntilAsync(async () => (await _viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/devices/kiosk-03", Ct))!["software"]!.ToJsonString().Contains("2.0.0"));

        // ---- B: an injected failure rate pauses it (event + webhook); resume acknowledges the failures ----
        var fw21 = await PublishAsync("2.1.0");
        var b = await CreateAsync(new
        {
            // 30 %: with 5 devices released, the pause needs both injected failures (40 %), not just the first (20 %)
            artifactId = fw21, groupId = _groupId, requiresApproval = true, failureThreshold = 30,
            phases = new[] { new { percent = 25, soakSeconds = 1 }, new { percent = 100, soakSeconds = 0 } },
        });
        var bId = (string)b["id"]!;
        var failing = DevicesOf(b, 0).Take(2).Select(IndexOf).ToList();
        foreach (var i in failing) await File.WriteAllTextAsync(_work.Combine($"agent-{i}", "fail-install-fw"), "", Ct);
        using (var approved = await _admin.PostAsync($"/rollouts/api/v1/rollouts/{bId}/approve", null, Ct)) Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var paused = await WaitForAsync(bId, d => (string)d["state"]! == "paused", "paused", 90);
        Assert.Contains("failed", (string)paused["pausedReason"]!);
        Assert.All(DevicesOf(paused, 1), d => Assert.Equal("pending", (string)d["state"]!)); // the next phase was never released
        Assert.Contains(paused["events"]!.AsArray(), e => (string)e!["type"]! == "rollouts.rollout.paused");
        await WaitUntilAsync(() => Task.FromResult(WebhookEvents().Any(e => (string)e["type"]! == "rollouts.rollout.paused" && (string)e["data"]!["rolloutId"]! == bId)));
        var hook = WebhookEvents().First(e => (string)e["type"]! == "rollouts.rollout.paused");
        Assert.True((double)hook["data"]!["failureRate"]! > 10);
        await Task.Delay(2000, Ct);
        Assert.Equal("paused", (string)(await DetailAsync(bId))!["state"]!);
        foreach (var i in failing) File.Delete(_work.Combine($"agent-{i}", "fail-install-fw"));
        using (var resumeAgain = await _operator.PostAsync($"/rollouts/api/v1/rollouts/{aId}/resume", null, Ct)) Assert.Equal(HttpStatusCode.Conflict, resumeAgain.StatusCode);
        using (var resumed = await _operator.PostAsync($"/rollouts/api/v1/rollouts/{bId}/resume", null, Ct)) Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var finished = await WaitForAsync(bId, d => (string)d["state"]! == "completed", "completed after resume", 120);
        var failedDevices = DevicesOf(finished).Where(d => (string)d["state"]! == "failed").Select(IndexOf).Order().ToList();
        Assert.Equal(failing.Order(), failedDevices);
        Assert.Equal(Devices - failing.Count, (int)finished["totals"]!["succeeded"]!);
        Assert.Contains("injected failure", DevicesOf(finished).First(d => (string)d["state"]! == "failed")["message"]!.ToString());

        // ---- C: abort stops new installs and tells a pending device ----
        var fw22 = await PublishAsync("2.2.0");
        var c = await CreateAsync(new
        {
            artifactId = fw22, groupId = _groupId, requiresApproval = true, failureThreshold = 50,
            phases = new[] { new { percent = 50, soakSeconds = 600 }, new { percent = 100, soakSeconds = 0 } },
        });
        var cId = (string)c["id"]!;
        var offline = IndexOf(DevicesOf(c, 0).First());
        await StopAsync(offline);
        using (var approved = await _admin.PostAsync($"/rollouts/api/v1/rollouts/{cId}/approve", null, Ct)) Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await WaitForAsync(cId, d => DevicesOf(d, 0).Count(x => (string)x["state"]! == "succeeded") == DevicesOf(d, 0).Count() - 1, "phase 0 installed", 90);
        using (var aborted = await _operator.PostAsync($"/rollouts/api/v1/rollouts/{cId}/abort", null, Ct)) Assert.Equal(HttpStatusCode.OK, aborted.StatusCode);
        var afterAbort = (await DetailAsync(cId))!;
        Assert.Equal("aborted", (string)afterAbort["state"]!);
        Assert.All(DevicesOf(afterAbort, 1), d => Assert.Equal("aborted", (string)d["state"]!));
        Restart(offline);
        await _agents[offline]!.WaitForAsync("deployment_aborted", e => (string)e["data"]!["rolloutId"]! == cId, TimeSpan.FromSeconds(60));
        await Task.Delay(3000, Ct);
        foreach (var device in DevicesOf(afterAbort, 1))
            Assert.DoesNotContain(cId, _agents[IndexOf(device)]!.Output); // never told to install
        Assert.DoesNotContain(_agents[offline]!.Output.Split('\n'), l => l.Contains(cId) && l.Contains("deployment_received"));
        Assert.Equal("aborted", (string)DevicesOf((await DetailAsync(cId))!).Single(d => IndexOf(d) == offline)["state"]!);
        using (var again = await _operator.PostAsync($"/rollouts/api/v1/rollouts/{cId}/abort", null, Ct)) Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(300, Ct);
        }
        Assert.Fail("condition not met in time");
    }
}
