using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tuf;

namespace Edgeplane.Plugins.Rollouts.Tests.Artifacts;

/// <summary>Publishing through the update-signing repository, verified by the real tuf-js client.</summary>
[Collection(ArtifactsCollection.Name)]
public sealed class ArtifactTufTests(ArtifactsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> TrustedRootAsync(int version = 1)
    {
        var path = fixture.Work.Combine($"trusted-{Guid.NewGuid():N}.root.json");
        await File.WriteAllBytesAsync(path, await fixture.Host.Client.GetByteArrayAsync($"/rollouts/tuf/{version}.root.json", Ct), Ct);
        return path;
    }

    private string CacheDir() => fixture.Work.Combine("tuf-" + Guid.NewGuid().ToString("N"));

    private static byte[] RandomPayload(int size) => RandomNumberGenerator.GetBytes(size);

    [Fact]
    public async Task Published_artifact_is_refreshed_downloaded_and_verified_by_tuf_js()
    {
        var payload = RandomPayload(200_000);
        var artifact = await fixture.PublishAsync("firmware", "1.0.0", payload);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), (string)artifact["sha256"]!);
        Assert.Equal(payload.Length, (long)artifact["size"]!);
        var targetName = (string)artifact["target"]!["name"]!;
        Assert.Equal($"{fixture.TeamId}/{artifact["id"]}/firmware.bin", targetName);

        var cache = CacheDir();
        var result = await TufJs.RunAsync(fixture.MetadataUrl, fixture.TargetsUrl, await TrustedRootAsync(), cache, targetName, "Bearer " + fixture.Keys["viewer"]);
        Assert.True((bool)result["ok"]!, result.ToJsonString());
        Assert.Equal(payload.Length, (long)result["length"]!);
        Assert.Equal((string)artifact["sha256"]!, (string)result["sha256"]!);
        Assert.Equal((string)artifact["id"]!, (string)result["custom"]!["artifact"]!);
        Assert.Equal(payload, await File.ReadAllBytesAsync((string)result["path"]!, Ct));
        Assert.True((long)result["targetsVersion"]! >= (long)artifact["target"]!["targetsVersion"]!);

        // the served metadata: four roles, their own keys, thresholds, consistent snapshots, ECDSA signatures over canonical JSON
        var root = JsonNode.Parse(await fixture.Host.Client.GetStringAsync("/rollouts/tuf/root.json", Ct))!.AsObject();
        var roles = root["signed"]!["roles"]!.AsObject();
        Assert.Equal(2, roles["root"]!["keyids"]!.AsArray().Count);
        Assert.Equal(2, (int)roles["root"]!["threshold"]!);
        var allKeys = roles.SelectMany(r => r.Value!["keyids"]!.AsArray().Select(k => (string)k!)).ToList();
        Assert.Equal(allKeys.Count, allKeys.Distinct().Count()); // no key shared between roles
        Assert.True((bool)root["signed"]!["consistent_snapshot"]!);
        Assert.True(TufMetadata.VerifyThreshold(root, root["signed"]!.AsObject(), "root"));
        foreach (var (keyId, key) in root["signed"]!["keys"]!.AsObject())
            Assert.Equal(keyId, TufKey.ComputeKeyId(key!.AsObject()));

        // list, get, patch (metadata only)
        using var viewer = fixture.Key("viewer");
        var list = await viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/artifacts?name=firmware", Ct);
        Assert.Contains(list!["items"]!.AsArray(), a => (string)a!["id"]! == (string)artifact["id"]!);
        using var operatorClient = fixture.Key("operator");
        using var patched = await operatorClient.PatchAsJsonAsync($"/rollouts/api/v1/artifacts/{artifact["id"]}",
            new { description = "kiosk firmware", deviceTypes = new[] { "rpi4", "rpi5" }, labels = new { channel = "stable" } }, Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/artifacts/{artifact["id"]}", Ct);
        Assert.Equal("kiosk firmware", (string)after!["description"]!);
        Assert.Equal(["rpi4", "rpi5"], after["deviceTypes"]!.AsArray().Select(t => (string)t!));
        var byType = await viewer.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/artifacts?deviceType=rpi5", Ct);
        Assert.Single(byType!["items"]!.AsArray(), a => (string)a!["id"]! == (string)artifact["id"]!);
        using var rename = await operatorClient.PatchAsJsonAsync($"/rollouts/api/v1/artifacts/{artifact["id"]}", new { name = "other", version = "9" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, rename.StatusCode);
        var problem = await rename.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.NotNull(problem!["errors"]!["name"]);
        Assert.NotNull(problem["errors"]!["version"]);
    }

    [Fact]
    public async Task Tampered_target_and_tampered_metadata_are_rejected_by_tuf_js()
    {
        var payload = RandomPayload(50_000);
        var artifact = await fixture.PublishAsync("tamper-me", "1.0.0", payload);
        var targetName = (string)artifact["target"]!["name"]!;
        var auth = "Bearer " + fixture.Keys["viewer"];

        // same length, one byte changed
        await using (var proxy = new TamperProxy(fixture.Host.BaseAddress, (path, body) =>
        {
            if (path.Contains("/tuf/targets/")) body[body.Length / 2] ^= 0xff;
            return body;
        }))
        {
            var result = await TufJs.RunAsync(fixture.MetadataUrl, proxy.Prefix + "rollouts/tuf/targets", await TrustedRootAsync(), CacheDir(), targetName, auth);
            Assert.False((bool)result["ok"]!, result.ToJsonString());
            Assert.Contains("hash", ((string)result["message"]!).ToLowerInvariant());
        }
        // a longer payload
        await using (var proxy = new TamperProxy(fixture.Host.BaseAddress, (path, body) => path.Contains("/tuf/targets/") ? [.. body, .. "evil"u8.ToArray()] : body))
        {
            var result = await TufJs.RunAsync(fixture.MetadataUrl, proxy.Prefix + "rollouts/tuf/targets", await TrustedRootAsync(), CacheDir(), targetName, auth);
            Assert.False((bool)result["ok"]!, result.ToJsonString());
        }
        // the targets metadata rewritten to point at another payload: its signature no longer verifies
        var evil = Encoding.UTF8.GetBytes("malicious payload");
        await using (var proxy = new TamperProxy(fixture.Host.BaseAddress, (path, body) =>
        {
            if (!path.EndsWith(".targets.json")) return body;
            var doc = JsonNode.Parse(body)!;
            doc["signed"]!["targets"]![targetName]!["hashes"]!["sha256"] = Convert.ToHexStringLower(SHA256.HashData(evil));
            doc["signed"]!["targets"]![targetName]!["length"] = evil.Length;
            return Encoding.UTF8.GetBytes(doc.ToJsonString());
        }))
        {
            var result = await TufJs.RunAsync(proxy.Prefix + "rollouts/tuf", fixture.TargetsUrl, await TrustedRootAsync(), CacheDir(), targetName, auth);
            Assert.False((bool)result["ok"]!, result.ToJsonString());
            Assert.Contains("targets was signed by 0/1 keys", (string)result["message"]!);
        }
    }

    [Fact]
    public async Task Timestamp_is_refreshed_in_the_background_before_it_expires()
    {
        var first = await fixture.Host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/timestamp.json", Ct);
        var firstVersion = (long)first!["signed"]!["version"]!;
        var expires = TufMetadata.ParseExpiry((string)first["signed"]!["expires"]!);
        Assert.True(expires - DateTimeOffset.UtcNow <= TimeSpan.FromSeconds(11));
        // wait past the first timestamp's expiry: the job must have re-signed it, and a client still refreshes
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1), Ct);
        var now = await fixture.Host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/timestamp.json", Ct);
        Assert.True((long)now!["signed"]!["version"]! > firstVersion);
        Assert.True(TufMetadata.ParseExpiry((string)now["signed"]!["expires"]!) > DateTimeOffset.UtcNow);
        var result = await TufJs.RunAsync(fixture.MetadataUrl, fixture.TargetsUrl, await TrustedRootAsync(), CacheDir());
        Assert.True((bool)result["ok"]!, result.ToJsonString());
    }

    [Fact]
    public async Task Root_rotation_is_signed_by_old_and_new_keys_and_clients_follow_it()
    {
        var payload = RandomPayload(10_000);
        var artifact = await fixture.PublishAsync("rotated", "1.0.0", payload);
        var trusted = await TrustedRootAsync();
        var oldRoot = JsonNode.Parse(await fixture.Host.Client.GetStringAsync("/rollouts/tuf/root.json", Ct))!.AsObject();

        using (var operatorClient = fixture.Key("admin"))
        {
            using var refused = await operatorClient.PostAsJsonAsync("/rollouts/api/v1/tuf/rotate", new { }, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // a team admin is not the host administrator
        }
        using var hostAdmin = fixture.Host.AdminClient();
        using var rotated = await hostAdmin.PostAsJsonAsync("/rollouts/api/v1/tuf/rotate", new { }, Ct);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var versions = await rotated.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var newRoot = JsonNode.Parse(await fixture.Host.Client.GetStringAsync($"/rollouts/tuf/{versions!["root"]}.root.json", Ct))!.AsObject();
        Assert.True(TufMetadata.VerifyThreshold(newRoot, oldRoot["signed"]!.AsObject(), "root"), "new root signed by a threshold of the old root keys");
        Assert.True(TufMetadata.VerifyThreshold(newRoot, newRoot["signed"]!.AsObject(), "root"), "new root signed by its own keys");
        Assert.Empty(newRoot["signed"]!["keys"]!.AsObject().Select(k => k.Key).Intersect(oldRoot["signed"]!["keys"]!.AsObject().Select(k => k.Key)));

        // a client that trusts an older root walks to the new one and still verifies targets
        var result = await TufJs.RunAsync(fixture.MetadataUrl, fixture.TargetsUrl, trusted, CacheDir(), (string)artifact["target"]!["name"]!, "Bearer " + fixture.Keys["viewer"]);
        Assert.True((bool)result["ok"]!, result.ToJsonString());
        Assert.True((long)result["rootVersion"]! >= (long)versions["root"]!);
        Assert.Equal((string)artifact["sha256"]!, (string)result["sha256"]!);
    }

    [Fact]
    public async Task Bad_uploads_are_400s_naming_the_field_and_store_nothing()
    {
        using var client = fixture.Key("operator");
        var before = await TotalAsync(client);
        var versions = await fixture.Host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/timestamp.json", Ct);
        var cases = new (MultipartFormDataContent Form, string Field)[]
        {
            (ArtifactsFixture.Upload(null, "1.0", "rpi4", [1, 2, 3]), "name"),
            (ArtifactsFixture.Upload("bad name!", "1.0", "rpi4", [1, 2, 3]), "name"),
            (ArtifactsFixture.Upload("ok", "", "rpi4", [1, 2, 3]), "version"),
            (ArtifactsFixture.Upload("ok", "1.0", null, [1, 2, 3]), "deviceTypes"),
            (ArtifactsFixture.Upload("ok", "1.0", "rpi4", null), "file"),
            (ArtifactsFixture.Upload("ok", "1.0", "rpi4", []), "file"),
            (ArtifactsFixture.Upload("ok", "1.0", "rpi4", [1], fileName: "../../etc passwd"), "fileName"),
        };
        foreach (var (form, field) in cases)
        {
            using var response = await client.PostAsync("/rollouts/api/v1/artifacts", form, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
            Assert.True(problem!["errors"]![field] is not null, $"{field}: {problem}");
        }
        using var json = await client.PostAsJsonAsync("/rollouts/api/v1/artifacts", new { name = "x" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal(before, await TotalAsync(client));

        await fixture.PublishAsync("dup", "1.0.0", [1, 2, 3]);
        using var duplicate = await client.PostAsync("/rollouts/api/v1/artifacts", ArtifactsFixture.Upload("dup", "1.0.0", "rpi4", [4, 5, 6]), Ct);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(before + 1, await TotalAsync(client));
    }

    [Fact]
    public async Task Permissions_and_team_isolation()
    {
        var artifact = await fixture.PublishAsync("isolated", "1.0.0", [9, 9, 9]);
        var id = (string)artifact["id"]!;
        var path = (string)artifact["target"]!["path"]!;
        using var viewer = fixture.Key("viewer");
        using var upload = await viewer.PostAsync("/rollouts/api/v1/artifacts", ArtifactsFixture.Upload("v", "1", "rpi4", [1]), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Contains("rollouts.artifacts.write", await upload.Content.ReadAsStringAsync(Ct));
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamKey);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/rollouts/api/v1/artifacts/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PatchAsJsonAsync($"/rollouts/api/v1/artifacts/{id}", new { description = "x" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/rollouts/tuf/targets/{path}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client.GetAsync($"/rollouts/tuf/targets/{path}", Ct)).StatusCode);
        var bytes = await viewer.GetByteArrayAsync($"/rollouts/tuf/targets/{path}", Ct);
        Assert.Equal([9, 9, 9], bytes);
        // metadata is public
        Assert.Equal(HttpStatusCode.OK, (await fixture.Host.Client.GetAsync("/rollouts/tuf/timestamp.json", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Host.Client.GetAsync("/rollouts/tuf/7.timestamp.json", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Host.Client.GetAsync("/rollouts/tuf/99999.root.json", Ct)).StatusCode);
    }

    private async Task<long> TotalAsync(HttpClient client) =>
        (long)(await client.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/artifacts?limit=1", Ct))!["total"]!;
}
