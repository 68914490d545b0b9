using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>The same fleet flow on a real PostgreSQL server (the schema and every query are portable).</summary>
public sealed class PostgresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enroll_check_in_logs_groups_and_delete_work_on_postgres()
    {
        if (TestDatabases.Unavailable("postgres") is { } reason) Assert.Skip(reason);
        using var work = new TempDirectory();
        var port = FreePort.Next();
        var environment = RolloutsFixture.Settings(port);
        foreach (var (k, v) in await TestDatabases.CreateAsync("postgres", work.Path)) environment[k] = v;
        // "online" means seen within three check-in intervals: a minute, so a loaded machine's slow steps do not age the device out
        environment["Edgeplane__Plugins__rollouts__CheckInInterval"] = "00:01:00";
        await using var host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Rollouts"], Environment = environment });
        using var admin = await IdentityClient.SignInAsAdminAsync(host);
        using var key = host.AdminClient();
        var ca = await key.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/device-ca", Ct);
        var caPath = work.Combine("ca.pem");
        await File.WriteAllTextAsync(caPath, (string)ca!["certificate"]!, Ct);
        using var groupResponse = await key.PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "pg", selector = new { matchLabels = new { db = "pg" } } }, Ct);
        var group = await groupResponse.Content.ReadFromJsonAsync<JsonObject>(Ct);
        using var tokenResponse = await admin.Session.PostAsJsonAsync("/rollouts/api/v1/enroll-tokens", new { name = "pg", maxUses = 1, groupId = (string)group!["id"]! }, Ct);
        var token = (string)(await tokenResponse.Content.ReadFromJsonAsync<JsonObject>(Ct))!["token"]!;
        var device = new DeviceFiles(work.Combine("dev"), "pg-device");
        var target = $"127.0.0.1:{port}";

        var enrolled = await NodeGrpc.CallAsync(target, caPath, "Enroll", device.EnrollRequest(token, new { db = "pg" }), device.CertPath, device.KeyPath);
        Assert.True((bool)enrolled["ok"]!, enrolled.ToJsonString());
        device.Enrolled(enrolled);
        var second = new DeviceFiles(work.Combine("dev"), "pg-second");
        var exhausted = await NodeGrpc.CallAsync(target, caPath, "Enroll", second.EnrollRequest(token), second.CertPath, second.KeyPath);
        using var ask = await key.PostAsJsonAsync("/rollouts/api/v1/devices/pg-device/logs", new { }, Ct);
        var requestId = (string)(await ask.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
        var checkIn = await NodeGrpc.CallAsync(target, caPath, "CheckIn",
            new { attributes = new { os = "linux" }, software = new[] { new { name = "fw", version = "1" } }, health = new { status = "ok" } }, device.CertPath, device.KeyPath);
        var upload = await NodeGrpc.CallAsync(target, caPath, "UploadLogs",
            new { requestId, contentType = "text/plain", data = Convert.ToBase64String("hello from postgres\n"u8.ToArray()) }, device.CertPath, device.KeyPath);
        var online = await key.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/devices?status=online&label=db=pg", Ct);
        var members = await key.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/groups/{group["id"]}/devices", Ct);
        var logs = await key.GetStringAsync($"/rollouts/api/v1/devices/pg-device/logs/{requestId}/download", Ct);
        var history = await key.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/devices/pg-device/history", Ct);
        using var delete = await key.DeleteAsync("/rollouts/api/v1/devices/pg-device", Ct);
        var refused = await NodeGrpc.CallAsync(target, caPath, "CheckIn", new { }, device.CertPath, device.KeyPath);

        Assert.Equal(7, (int)exhausted["code"]!);
        Assert.Equal(requestId, (string)checkIn["response"]!["logRequests"]![0]!["id"]!);
        Assert.True((bool)upload["ok"]!, upload.ToJsonString());
        Assert.Equal(1, (int)online!["total"]!);
        Assert.Equal("pg-device", (string)members!["items"]![0]!["name"]!);
        Assert.Equal("hello from postgres\n", logs);
        Assert.Contains(history!["items"]!.AsArray(), e => (string)e!["kind"]! == "logs_uploaded");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(16, (int)refused["code"]!);
    }
}
