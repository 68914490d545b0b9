using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>The reference C# device agent, run as separate processes against the real host.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class AgentTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string[] AgentArgs(string stateDir, params string[] extra) =>
        ["--server", fixture.DeviceUri.ToString(), "--ca", fixture.CaPath, "--state-dir", stateDir, .. extra];

    [Fact]
    public async Task Agent_enrolls_checks_in_answers_log_requests_byte_identical_and_is_refused_once_deleted()
    {
        var name = "agent-" + Guid.NewGuid().ToString("N")[..8];
        using var groupResponse = await fixture.Key("operator").PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "g-" + name, description = "agent test" }, Ct);
        var group = await groupResponse.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var token = await fixture.NewTokenAsync(maxUses: 1, groupId: (string)group!["id"]!, labels: new { ring = "canary" });
        var state = fixture.Work.Combine(name);
        Directory.CreateDirectory(state);
        var logFile = Path.Combine(state, "agent.log");
        var logBytes = RandomNumberGenerator.GetBytes(300_000); // binary on purpose: byte-for-byte, not text-for-text
        await File.WriteAllBytesAsync(logFile, logBytes, Ct);
        var systemLog = Path.Combine(state, "system.txt");
        await File.WriteAllTextAsync(systemLog, "kernel: booted\nnetwork: up\n", Ct);

        await using (var agent = AgentProcess.Start(AgentArgs(state, "--token", token, "--name", name, "--device-type", "rpi4", "--label", "site=lab",
            "--attribute", "serial=SN-0042", "--software", "firmware=2.3.4", "--log-source", $"agent={logFile}", "--log-source", $"system={systemLog}")))
        {
            var enrolled = await agent.WaitForAsync("enrolled");
            await agent.WaitForAsync("checked_in");

            var device = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{name}", Ct);
            Assert.Equal((string)enrolled["data"]!["deviceId"]!, (string)device!["id"]!);
            Assert.Equal("online", (string)device["status"]!);
            Assert.Equal("rpi4", (string)device["deviceType"]!);
            Assert.Equal("SN-0042", (string)device["attributes"]!["serial"]!);
            Assert.Equal("canary", (string)device["labels"]!["ring"]!);
            Assert.Equal("lab", (string)device["labels"]!["site"]!);
            Assert.Contains(device["software"]!.AsArray(), s => (string)s!["name"]! == "firmware" && (string)s["version"]! == "2.3.4");
            var history = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{name}/history", Ct);
            var kinds = history!["items"]!.AsArray().Select(e => (string)e!["kind"]!).ToList();
            Assert.Contains("enrolled", kinds);
            Assert.Contains("inventory_changed", kinds);
            var members = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/groups/{group["id"]}/devices", Ct);
            Assert.Equal(name, (string)members!["items"]![0]!["name"]!);
            Assert.True(File.Exists(Path.Combine(state, "key.pem")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "key.pem")));

            // One source: the file itself, byte for byte.
            using var ask = await fixture.Key("operator").PostAsJsonAsync($"/rollouts/api/v1/devices/{name}/logs", new { sources = new[] { "agent" } }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, ask.StatusCode);
            var requestId = (string)(await ask.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
            await agent.WaitForAsync("logs_uploaded", e => (string?)e["data"]!["request"] == requestId);
            using var download = await fixture.Key("viewer").GetAsync($"/rollouts/api/v1/devices/{name}/logs/{requestId}/download", Ct);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("text/plain", download.Content.Headers.ContentType!.MediaType);
            Assert.Equal(logBytes, await download.Content.ReadAsByteArrayAsync(Ct));
            var meta = await fixture.Key("viewer").GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/devices/{name}/logs/{requestId}", Ct);
            Assert.Equal("uploaded", (string)meta!["state"]!);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(logBytes)), (string)meta["sha256"]!);

            // Several sources: a gzip-compressed tar of them.
            using var askBoth = await fixture.Key("operator").PostAsJsonAsync($"/rollouts/api/v1/devices/{name}/logs", new { sources = new[] { "agent", "system" } }, Ct);
            var bothId = (string)(await askBoth.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"]!;
            await agent.WaitForAsync("logs_uploaded", e => (string?)e["data"]!["request"] == bothId);
            using var bundle = await fixture.Key("viewer").GetAsync($"/rollouts/api/v1/devices/{name}/logs/{bothId}/download", Ct);
            Assert.Equal("application/gzip", bundle.Content.Headers.ContentType!.MediaType);
            var entries = new Dictionary<string, byte[]>();
            await using (var tar = new TarReader(new GZipStream(await bundle.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress)))
                while (await tar.GetNextEntryAsync(cancellationToken: Ct) is { } entry)
                {
                    using var copy = new MemoryStream();
                    await entry.DataStream!.CopyToAsync(copy, Ct);
                    entries[entry.Name] = copy.ToArray();
                }
            Assert.Equal(logBytes, entries["agent.log"]);
            Assert.Equal("kernel: booted\nnetwork: up\n", System.Text.Encoding.UTF8.GetString(entries["system.log"]));
        }

        // Restarted, it uses the key and certificate on disk: no second enrollment (the token allowed one use).
        await using (var again = AgentProcess.Start(AgentArgs(state, "--once")))
        {
            Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            await again.WaitForAsync("checked_in");
            Assert.DoesNotContain("\"enrolled\"", again.Output);
        }

        using var delete = await fixture.Key("operator").DeleteAsync($"/rollouts/api/v1/devices/{name}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await using (var refused = AgentProcess.Start(AgentArgs(state, "--once")))
        {
            Assert.Equal(4, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var evt = await refused.WaitForAsync("refused");
            Assert.Equal(16, (int)evt["data"]!["status"]!);
        }
    }

    [Fact]
    public async Task Agent_with_a_bad_token_reports_the_refusal_and_exits()
    {
        var state = fixture.Work.Combine("bad-" + Guid.NewGuid().ToString("N")[..8]);
        await using var agent = AgentProcess.Start(AgentArgs(state, "--token", "ept_wrong", "--name", "bad-token-device"));

        Assert.Equal(3, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var failed = await agent.WaitForAsync("enroll_failed");
        Assert.Equal(16, (int)failed["data"]!["status"]!);
    }
}
