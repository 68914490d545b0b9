using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Artifacts;
using Edgeplane.Plugins.Rollouts.Tests.Sboms;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing.Conformance;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>A team's Rollouts data through the API: a group, an enrollment token, a device enrolled over the device API (when one is given) with a log request, an artifact with an SBOM, an incident, a vulnerability, a branding and, with a device, a rollout.</summary>
public static class RolloutsTeamData
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly IReadOnlyDictionary<string, string> Kept = new Dictionary<string, string>
    {
        ["rollouts_tuf_metadata"] = "signed repository history: the last Tuf:KeepVersions targets versions stay for devices mid-update; the current one no longer lists the team's targets",
    };

    public static async Task<IReadOnlyCollection<string>> CreateAsync(TeamAdmin team, string? deviceTarget, string? caPath, string? deviceDirectory)
    {
        var ids = new List<string>();
        var key = team.Key;
        var group = await SucceededAsync(await key.PostAsJsonAsync("/rollouts/api/v1/groups", new { name = "doomed", selector = new { matchLabels = new { fleet = "doomed" } } }, Ct));
        var token = await SucceededAsync(await team.Session.PostAsJsonAsync("/rollouts/api/v1/enroll-tokens", new { name = "doomed", maxUses = 1, groupId = (string)group["id"]! }, Ct));
        string? deviceName = null;
        if (deviceTarget is not null && caPath is not null && deviceDirectory is not null)
        {
            var device = new DeviceFiles(deviceDirectory, "doomed-" + Guid.NewGuid().ToString("N")[..8]);
            var enrolled = await NodeGrpc.CallAsync(deviceTarget, caPath, "Enroll", device.EnrollRequest((string)token["token"]!, new { fleet = "doomed" }), device.CertPath, device.KeyPath);
            Assert.True((bool)enrolled["ok"]!, enrolled.ToJsonString());
            device.Enrolled(enrolled);
            var checkIn = await NodeGrpc.CallAsync(deviceTarget, caPath, "CheckIn",
                new { software = new[] { new { name = "fw", version = "1" } }, health = new { status = "ok" } }, device.CertPath, device.KeyPath);
            Assert.NotNull(checkIn["response"]);
            var logs = await SucceededAsync(await key.PostAsJsonAsync($"/rollouts/api/v1/devices/{device.Name}/logs", new { }, Ct));
            ids.AddRange([device.DeviceId!, (string)logs["id"]!]);
            deviceName = device.Name;
        }
        var payload = Encoding.UTF8.GetBytes("doomed firmware " + Guid.NewGuid());
        var artifact = await SucceededAsync(await key.PostAsync("/rollouts/api/v1/artifacts", ArtifactsFixture.Upload("doomed-fw", "1.0.0", "sim", payload), Ct));
        var artifactId = (string)artifact["id"]!;
        using var sbomBody = new StringContent(SbomTests.CycloneDx, Encoding.UTF8);
        sbomBody.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/vnd.cyclonedx+json; version=1.5");
        var sbom = await SucceededAsync(await key.PostAsync($"/rollouts/api/v1/artifacts/{artifactId}/sboms", sbomBody, Ct));
        var incident = await SucceededAsync(await key.PostAsJsonAsync("/rollouts/api/v1/incidents",
            new { title = "doomed", severity = "low", artifacts = new[] { artifactId } }, Ct));
        if (deviceName is not null)
            using (var linked = await key.PutAsync($"/rollouts/api/v1/incidents/{incident["id"]}/devices/{deviceName}", null, Ct))
                Assert.True(linked.IsSuccessStatusCode, await linked.Content.ReadAsStringAsync(Ct));
        var vulnerabilityId = "GHSA-doom-" + Guid.NewGuid().ToString("N")[..8];
        using (var vulnerability = await key.PostAsync("/rollouts/api/v1/vulnerabilities", new StringContent(
            $$"""{ "vulns": [{ "id": "{{vulnerabilityId}}", "summary": "doomed", "affected": [{ "package": { "ecosystem": "npm", "name": "fw" }, "versions": ["1"] }] }] }""",
            Encoding.UTF8, "application/json"), Ct))
            Assert.True(vulnerability.IsSuccessStatusCode, await vulnerability.Content.ReadAsStringAsync(Ct));
        using (var branding = await key.PutAsJsonAsync("/rollouts/api/v1/report-branding", new { name = "Doomed", primaryColor = "#112233", accentColor = "#445566" }, Ct))
            Assert.Equal(HttpStatusCode.OK, branding.StatusCode);
        // A rollout needs a device of the artifact's type in its group.
        if (deviceName is not null)
            ids.Add((string)(await SucceededAsync(await key.PostAsJsonAsync("/rollouts/api/v1/rollouts", new { artifactId, groupId = (string)group["id"]!, failureThreshold = 100 }, Ct)))["id"]!);

        ids.AddRange([(string)group["id"]!, (string)token["id"]!, artifactId, Convert.ToHexStringLower(SHA256.HashData(payload)),
            (string)sbom["id"]!, (string)incident["id"]!, vulnerabilityId]);
        return ids;
    }

    private static async Task<JsonObject> SucceededAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text)!.AsObject();
        }
    }
}
