using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Artifacts;
using Edgeplane.Plugins.Rollouts.Tests.Support;

namespace Edgeplane.Plugins.Rollouts.Tests.Deployments;

/// <summary>
/// What a rollout leaves behind, with real agents that run firmware 1.0.0 and are rolled to 2.0.0 (two installs fail):
/// the inventory and the readiness report show what the devices run, each device's history holds its deployment events,
/// and the deployment record outlives the device.
/// </summary>
[Collection(RolloutsCollection.Name)]
public sealed class DeploymentEvidenceTests(RolloutsFixture fixture, RolledOutFleet fleet) : IClassFixture<RolledOutFleet>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string Software => fleet.Software;
    private string DeviceType => fleet.DeviceType;
    private string Device(int i) => fleet.Device(i);
    private string? RolloutId => fleet.RolloutId;

    private Task<JsonObject> DeviceAsync(string name) => fleet.DeviceAsync(name);

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => RolledOutFleet.WaitUntilAsync(condition);

    [Fact]
    public async Task The_inventory_and_the_readiness_report_show_the_installed_version()
    {
        var versions = (await DeviceAsync(Device(0)))["software"]!.AsArray().Where(s => (string)s!["name"]! == Software).Select(s => (string)s!["version"]!).ToList();
        Assert.Equal(["2.0.0"], versions); // one version per software name: the installed one
        Assert.Equal(["1.0.0"], (await DeviceAsync(Device(2)))["software"]!.AsArray().Where(s => (string)s!["name"]! == Software).Select(s => (string)s!["version"]!));

        var report = (await fixture.Key("viewer").GetFromJsonAsync<JsonObject>("/rollouts/api/v1/reports/readiness", Ct))!;
        var type = report["deviceTypes"]!.AsArray().Single(t => (string)t!["deviceType"]! == DeviceType)!;
        var software = type["software"]!.AsArray().Single(s => (string)s!["name"]! == Software)!;
        Assert.Equal("2.0.0", (string)software["target"]!);
        Assert.Equal([("2.0.0", 2), ("1.0.0", 1)], software["versions"]!.AsArray().Select(v => ((string)v!["version"]!, (int)v["devices"]!)));
        Assert.Equal(1, (int)type["outOfDate"]!);
        var stale = report["outOfDateDevices"]!.AsArray().Where(o => (string)o!["deviceType"]! == DeviceType).ToList();
        Assert.Equal([(Device(2), "1.0.0")], stale.Select(o => ((string)o!["device"]!, (string)o["installed"]!)));
    }

    [Fact]
    public async Task Each_devices_history_holds_its_deployment_events()
    {
        async Task<List<JsonObject>> EventsAsync(string device) =>
            (await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{device}/history?limit=500", Ct))!["items"]!.AsArray()
                .Select(e => e!.AsObject()).Where(e => ((string)e["kind"]!).StartsWith("deployment_", StringComparison.Ordinal)).ToList();

        // events written in the same millisecond have no order between them: compare the kinds as a set
        var succeeded = await EventsAsync(Device(0));
        Assert.Equal(["deployment_assigned", "deployment_downloading", "deployment_installing", "deployment_released", "deployment_succeeded"],
            succeeded.Select(e => (string)e["kind"]!).Order());
        Assert.All(succeeded, e => Assert.Equal(RolloutId, (string)e["details"]!["rolloutId"]!));
        Assert.Contains("2.0.0", succeeded.Single(e => (string)e["kind"]! == "deployment_succeeded")["details"]!.ToJsonString());

        var failed = await EventsAsync(Device(2));
        Assert.Equal(["deployment_assigned", "deployment_downloading", "deployment_failed", "deployment_installing", "deployment_released"],
            failed.Select(e => (string)e["kind"]!).Order());
        Assert.Equal("injected failure", (string)failed.Single(e => (string)e["kind"]! == "deployment_failed")["details"]!["message"]!);
        using var filtered = await fixture.Key("viewer").GetAsync($"/rollouts/api/v1/devices/{Device(2)}/history?kind=deployment_failed", Ct);
        Assert.Equal(1, (int)(await filtered.Content.ReadFromJsonAsync<JsonObject>(Ct))!["total"]!);
    }

    [Fact]
    public async Task A_deleted_devices_deployment_record_stays_in_the_rollouts_evidence_with_its_name()
    {
        await WaitUntilAsync(async () => (string)(await RolloutAsync())["state"]! == "completed");
        var deviceId = (string)(await DeviceAsync(Device(3)))["id"]!;
        using (var deleted = await fixture.Key("operator").DeleteAsync($"/rollouts/api/v1/devices/{Device(3)}", Ct))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var rollout = await RolloutAsync();
        Assert.Equal(2, (int)rollout["totals"]!["failed"]!);
        Assert.Equal(2, (int)rollout["totals"]!["succeeded"]!);
        var devices = rollout["devices"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(4, devices.Count);
        var record = Assert.Single(devices, d => (string)d["deviceId"]! == deviceId);
        Assert.Equal(Device(3), (string)record["name"]!);
        Assert.Equal(("failed", "injected failure"), ((string)record["state"]!, (string)record["message"]!));

        var report = (await fixture.Key("viewer").GetFromJsonAsync<JsonObject>("/rollouts/api/v1/reports/readiness", Ct))!;
        var failed = report["failedInstalls"]!.AsArray().Where(f => (string)f!["rolloutId"]! == RolloutId).ToList();
        Assert.Equal([Device(2), Device(3)], failed.Select(f => (string)f!["device"]!).Order());
        Assert.All(failed, f => Assert.Equal(DeviceType, (string)f!["deviceType"]!));
    }

    private async Task<JsonObject> RolloutAsync() =>
        (await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/rollouts/{RolloutId}", Ct))!;
}

/// <summary>Four agents of a fresh device type, three running firmware 1.0.0, rolled to 2.0.0 through the shared host; the installs of the last two fail.</summary>
public sealed class RolledOutFleet(RolloutsFixture fixture) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly List<AgentProcess> _agents = [];
    public string Software => "fw-" + _run;
    public string DeviceType => "evi-" + _run;
    public string Device(int i) => $"evi-{_run}-{i}";
    public string? RolloutId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var op = fixture.Key("operator");
        using var group = await op.PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "evi-" + _run, selector = new { matchLabels = new { evi = _run } } }, Ct);
        var groupId = (string)(await group.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
        var token = await fixture.NewTokenAsync(maxUses: 4);
        for (var i = 0; i < 4; i++)
        {
            var state = fixture.Work.Combine(Device(i));
            Directory.CreateDirectory(state);
            if (i >= 2) await File.WriteAllTextAsync(Path.Combine(state, "fail-install-" + Software), "", Ct);
            List<string> args = ["--server", fixture.DeviceUri.ToString(), "--ca", fixture.CaPath, "--state-dir", state, "--token", token,
                "--name", Device(i), "--device-type", DeviceType, "--label", "evi=" + _run];
            if (i < 3) args.AddRange(["--software", Software + "=1.0.0"]); // the fourth runs none: only its failed install is on record
            _agents.Add(AgentProcess.Start(args));
        }
        foreach (var agent in _agents) await agent.WaitForAsync("checked_in", timeout: TimeSpan.FromSeconds(120));

        using var published = await op.PostAsync("/rollouts/api/v1/artifacts",
            ArtifactsFixture.Upload(Software, "2.0.0", DeviceType, System.Text.Encoding.UTF8.GetBytes("firmware 2.0.0 " + new string('x', 2000))), Ct);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var artifactId = (string)(await published.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
        using var created = await op.PostAsJsonAsync("/rollouts/api/v1/rollouts", new { artifactId, groupId, failureThreshold = 100 }, Ct);
        var rollout = (await created.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.True(created.StatusCode == HttpStatusCode.Created, rollout.ToJsonString());
        RolloutId = (string)rollout["id"]!;
        await _agents[0].WaitForAsync("deployment_succeeded", timeout: TimeSpan.FromSeconds(90));
        await _agents[1].WaitForAsync("deployment_succeeded", timeout: TimeSpan.FromSeconds(90));
        await _agents[2].WaitForAsync("deployment_failed", timeout: TimeSpan.FromSeconds(90));
        await _agents[3].WaitForAsync("deployment_failed", timeout: TimeSpan.FromSeconds(90));
        // the agents report the new version at their next check-in
        await WaitUntilAsync(async () => (await DeviceAsync(Device(0)))["software"]!.ToJsonString().Contains("2.0.0")
            && (await DeviceAsync(Device(1)))["software"]!.ToJsonString().Contains("2.0.0"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
    }

    public async Task<JsonObject> DeviceAsync(string name) =>
        (await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{name}", Ct))!;

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 60)
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
