using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tuf;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Artifacts;

/// <summary>
/// A host whose timestamp lives 3 s with the refresh job off: tuf-js rejects the expired metadata. Then the
/// targets role's sealed key is damaged in the database: publishing and rotating fail (503) and nothing is recorded.
/// </summary>
public sealed class ExpiryAndSigningFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Expired_metadata_is_rejected_and_a_failed_signature_records_nothing()
    {
        await NodeGrpc.EnsureInstalledAsync();
        using var work = new TempDirectory();
        var settings = ArtifactsFixture.Settings(FreePort.Next());
        settings["Edgeplane__Plugins__rollouts__Tuf__TimestampLifetime"] = "00:00:03";
        settings["Edgeplane__Plugins__rollouts__Tuf__RefreshInterval"] = "00:00:00";
        await using var host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Rollouts"], Environment = settings });
        using var admin = await IdentityClient.SignInAsAdminAsync(host);
        var team = await admin.CreateTeamAsync("expiry");
        using var client = host.ClientWithKey(await admin.KeyForNewMemberAsync(team, "operator"));
        var metadataUrl = new Uri(host.BaseAddress, "/rollouts/tuf").ToString();
        var targetsUrl = new Uri(host.BaseAddress, "/rollouts/tuf/targets").ToString();
        var root = work.Combine("root.json");
        await File.WriteAllBytesAsync(root, await host.Client.GetByteArrayAsync("/rollouts/tuf/1.root.json", Ct), Ct);

        using var published = await client.PostAsync("/rollouts/api/v1/artifacts", ArtifactsFixture.Upload("fw", "1", "rpi4", [1, 2, 3]), Ct);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var timestamp = await host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/timestamp.json", Ct);
        var expires = TufMetadata.ParseExpiry((string)timestamp!["signed"]!["expires"]!);
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5), Ct);
        var result = await TufJs.RunAsync(metadataUrl, targetsUrl, root, work.Combine("cache"));
        Assert.False((bool)result["ok"]!, result.ToJsonString());
        Assert.Equal("ExpiredMetadataError", (string)result["error"]!);

        // damage the targets role's sealed private key: signing fails, nothing is published or recorded
        var before = await host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/targets.json", Ct);
        var (code, output) = await NodeGrpc.RunAsync("sqlite3", ["-cmd", ".timeout 15000", Path.Combine(host.DataDirectory, "edgeplane.db"),
            "UPDATE rollouts_tuf_keys SET encrypted_key = randomblob(length(encrypted_key)) WHERE role = 'targets';"], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, output);
        using var failed = await client.PostAsync("/rollouts/api/v1/artifacts", ArtifactsFixture.Upload("fw", "2", "rpi4", [4, 5, 6]), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var list = await client.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/artifacts", Ct);
        Assert.Equal(1, (long)list!["total"]!);
        var after = await host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/targets.json", Ct);
        Assert.Equal((long)before!["signed"]!["version"]!, (long)after!["signed"]!["version"]!);
        var (countCode, count) = await NodeGrpc.RunAsync("sqlite3", ["-cmd", ".timeout 15000", Path.Combine(host.DataDirectory, "edgeplane.db"),
            "SELECT COUNT(*) FROM rollouts_tuf_targets; SELECT COUNT(*) FROM rollouts_artifact_blobs;"], TimeSpan.FromSeconds(30));
        Assert.Equal("1\n1", count.Trim());

        // a rotation needs the same damaged key: 503, and the repository is unchanged
        var rootBefore = await host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/root.json", Ct);
        using var hostAdmin = host.AdminClient();
        using var rotated = await hostAdmin.PostAsJsonAsync("/rollouts/api/v1/tuf/rotate", new { roles = new[] { "timestamp" } }, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rotated.StatusCode);
        var rootAfter = await host.Client.GetFromJsonAsync<JsonObject>("/rollouts/tuf/root.json", Ct);
        Assert.Equal((long)rootBefore!["signed"]!["version"]!, (long)rootAfter!["signed"]!["version"]!);
    }
}
