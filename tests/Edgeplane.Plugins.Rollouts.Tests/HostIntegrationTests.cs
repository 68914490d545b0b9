using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>How the plugin sits in the host: readiness, OpenAPI, metrics, a device port that is taken.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class HostIntegrationTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_reports_the_device_listener_and_openapi_and_metrics_describe_the_plugin()
    {
        var probe = new DeviceFiles(fixture.Work.Combine("probe"), "metrics-probe");
        var refused = await NodeGrpc.CallAsync(fixture.DeviceTarget, fixture.CaPath, "CheckIn", new { }, probe.CertPath, probe.KeyPath);
        var ready = await fixture.Host.Client.GetFromJsonAsync<JsonObject>("/readyz", Ct);
        var openapi = await fixture.Host.Client.GetStringAsync("/openapi/v1.json", Ct);
        var metrics = await fixture.Host.Client.GetStringAsync("/metrics", Ct);

        var check = ready!["checks"]!.AsArray().Single(c => (string)c!["name"]! == "rollouts-device-api")!;
        Assert.Equal("healthy", (string)check["status"]!);
        Assert.Contains($":{fixture.DevicePort}", (string)check["description"]!);
        Assert.Contains("/rollouts/api/v1/devices/{name}/logs/{id}/download", openapi);
        Assert.Contains("/rollouts/api/v1/enroll-tokens", openapi);
        Assert.Equal(16, (int)refused["code"]!);
        Assert.Contains("rollouts_device_api_duration", metrics);
    }

    [Fact]
    public async Task The_openapi_document_with_the_plugins_routes_passes_a_standard_validator()
    {
        var file = fixture.Work.Combine("openapi.json");
        await File.WriteAllTextAsync(file, await fixture.Host.Client.GetStringAsync("/openapi/v1.json", Ct), Ct);

        var (code, output) = await NodeGrpc.RunAsync("bash", [Path.Combine(RepoPaths.Root, "tests", "tools", "openapi-validator", "validate.sh"), file], TimeSpan.FromMinutes(5));

        Assert.True(code == 0, output);
        Assert.Contains("valid: Edgeplane", output);
    }

    [Fact]
    public async Task A_taken_device_port_leaves_the_operator_api_up_and_readiness_degraded()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using var host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Rollouts"], Environment = RolloutsFixture.Settings(taken) });
        using var admin = host.AdminClient();

        var ready = await host.Client.GetFromJsonAsync<JsonObject>("/readyz", Ct);
        using var devices = await admin.GetAsync("/rollouts/api/v1/devices", Ct);
        var plugins = await admin.GetFromJsonAsync<JsonArray>("/api/v1/plugins", Ct);

        var check = ready!["checks"]!.AsArray().Single(c => (string)c!["name"]! == "rollouts-device-api")!;
        Assert.Equal("degraded", (string)check["status"]!);
        Assert.Contains($"{taken}", (string)check["description"]!);
        Assert.Equal(HttpStatusCode.OK, devices.StatusCode);
        Assert.Contains(plugins!, p => (string)p!["id"]! == "rollouts" && (string)p["state"]! == "active");
    }
}
