using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Artifacts;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Registries;

/// <summary>
/// A real Debian <c>docker-registry</c> on 127.0.0.1 with htpasswd basic auth: an image is pushed with the distribution
/// API, then the plugin browses it and imports its manifest as a signed artifact, which tuf-js verifies.
/// </summary>
[Collection(ArtifactsCollection.Name)]
public sealed class RegistryTests(ArtifactsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    internal const string User = "pusher";
    internal const string Password = "s3cret-registry-password-4242";

    internal sealed class Registry : IAsyncDisposable
    {
        public required Process Process { get; init; }
        public required TempDirectory Dir { get; init; }
        public required Uri Url { get; init; }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }
            Process.Dispose();
            Dir.Dispose();
        }
    }

    internal static async Task<Registry> StartRegistryAsync()
    {
        var dir = new TempDirectory();
        var (code, htpasswd) = await NodeGrpc.RunAsync("htpasswd", ["-Bbn", User, Password], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, htpasswd);
        await File.WriteAllTextAsync(dir.Combine("htpasswd"), htpasswd.Trim() + "\n");
        var port = FreePort.Next();
        await File.WriteAllTextAsync(dir.Combine("config.yml"), $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {dir.Combine("data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            auth:
              htpasswd:
                realm: edgeplane-test
                path: {dir.Combine("htpasswd")}
            """);
        var info = new ProcessStartInfo("/usr/bin/docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add(dir.Combine("config.yml"));
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new Registry { Process = process, Dir = dir, Url = new Uri($"http://127.0.0.1:{port}/") };
        using var http = new HttpClient();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(registry.Url, "/v2/"));
                if (response.StatusCode == HttpStatusCode.Unauthorized) return registry;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await registry.DisposeAsync();
        throw new TimeoutException("docker-registry did not start");
    }

    /// <summary>Pushes a tiny OCI image (config + one layer + manifest) with the distribution API; returns the manifest digest.</summary>
    internal static async Task<string> PushAsync(Uri registry, string repository, string tag)
    {
        using var http = new HttpClient { BaseAddress = registry };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        async Task<(string Digest, long Size)> BlobAsync(byte[] data)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
            using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var location = start.Headers.Location!;
            var put = new UriBuilder(location.IsAbsoluteUri ? location : new Uri(registry, location));
            put.Query = (put.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
            using var content = new ByteArrayContent(data);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var done = await http.PutAsync(put.Uri, content);
            Assert.Equal(HttpStatusCode.Created, done.StatusCode);
            return (digest, data.Length);
        }
        var layer = await BlobAsync(RandomNumberGenerator.GetBytes(2048));
        var config = await BlobAsync(Encoding.UTF8.GetBytes("""{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"""));
        var manifest = $$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config.Digest}}","size":{{config.Size}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{layer.Digest}}","size":{{layer.Size}}}]}
            """;
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(manifest));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var pushed = await http.PutAsync($"/v2/{repository}/manifests/{tag}", body);
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        return pushed.Headers.GetValues("Docker-Content-Digest").Single();
    }

    [Fact]
    public async Task Browse_and_import_a_manifest_from_a_real_registry_as_a_signed_artifact()
    {
        if (!File.Exists("/usr/bin/docker-registry") || !File.Exists("/usr/bin/htpasswd"))
            Assert.Skip("docker-registry and apache2-utils are not installed (build/install-test-deps.sh installs them)");
        await using var registry = await StartRegistryAsync();
        var digest = await PushAsync(registry.Url, "edge/kiosk-app", "1.4.0");
        using var admin = fixture.Key("admin");

        // a wrong password is refused (and nothing stored); the right one is stored sealed and never returned
        using (var wrong = await admin.PostAsJsonAsync("/rollouts/api/v1/registries", new { name = "bad", url = registry.Url.ToString(), username = User, password = "nope" }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains("401", await wrong.Content.ReadAsStringAsync(Ct));
        }
        using var created = await admin.PostAsJsonAsync("/rollouts/api/v1/registries", new { name = "lab", url = registry.Url.ToString(), username = User, password = Password }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var createdText = await created.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(Password, createdText);
        var id = (string)JsonNode.Parse(createdText)!["id"]!;
        using var viewer = fixture.Key("viewer");
        var list = await viewer.GetStringAsync("/rollouts/api/v1/registries", Ct);
        Assert.Contains("\"hasPassword\":true", list);
        Assert.DoesNotContain(Password, list);
        var dbFile = Path.Combine(fixture.Host.DataDirectory, "edgeplane.db");
        if (File.Exists(dbFile)) // SQLite (the default): search the database and its WAL
        {
            var wal = dbFile + "-wal";
            var everything = (await File.ReadAllBytesAsync(dbFile, Ct)).Concat(File.Exists(wal) ? await File.ReadAllBytesAsync(wal, Ct) : []).ToArray();
            Assert.Equal(-1, everything.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Password))); // never stored in plaintext
        }
        using (var operatorClient = fixture.Key("operator"))
            Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/rollouts/api/v1/registries", new { name = "x", url = registry.Url.ToString() }, Ct)).StatusCode);

        // browse
        var repositories = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/registries/{id}/repositories", Ct);
        Assert.Contains("edge/kiosk-app", repositories!["items"]!.AsArray().Select(r => (string)r!["name"]!));
        var tags = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/registries/{id}/tags?repository=edge/kiosk-app", Ct);
        Assert.Equal(["1.4.0"], tags!["items"]!.AsArray().Select(t => (string)t!["name"]!));

        // import by tag: the manifest is the signed payload; tuf-js verifies it
        using var imported = await fixture.Key("operator").PostAsJsonAsync($"/rollouts/api/v1/registries/{id}/import",
            new { repository = "edge/kiosk-app", tag = "1.4.0", deviceTypes = new[] { "rpi4" } }, Ct);
        var artifact = await imported.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, artifact?.ToJsonString());
        Assert.Equal("kiosk-app", (string)artifact!["name"]!);
        Assert.Equal("1.4.0", (string)artifact["version"]!);
        Assert.Equal(digest, "sha256:" + (string)artifact["sha256"]!);
        Assert.Equal(digest, (string)artifact["source"]!["digest"]!);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", (string)artifact["contentType"]!);
        var trusted = fixture.Work.Combine($"root-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(trusted, await fixture.Host.Client.GetByteArrayAsync("/rollouts/tuf/1.root.json", Ct), Ct);
        var verified = await TufJs.RunAsync(fixture.MetadataUrl, fixture.TargetsUrl, trusted, fixture.Work.Combine("tuf-" + Guid.NewGuid().ToString("N")),
            (string)artifact["target"]!["name"]!, "Bearer " + fixture.Keys["viewer"]);
        Assert.True((bool)verified["ok"]!, verified.ToJsonString());
        Assert.Equal(digest, "sha256:" + (string)verified["sha256"]!);

        // import by digest (a version is then required); unknown tag is a 404; another team sees nothing
        using var operatorKey = fixture.Key("operator");
        using (var noVersion = await operatorKey.PostAsJsonAsync($"/rollouts/api/v1/registries/{id}/import", new { repository = "edge/kiosk-app", digest, deviceTypes = new[] { "rpi4" } }, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        using (var byDigest = await operatorKey.PostAsJsonAsync($"/rollouts/api/v1/registries/{id}/import",
            new { repository = "edge/kiosk-app", digest, name = "kiosk-app-pinned", version = "1.4.0", deviceTypes = new[] { "rpi4" } }, Ct))
            Assert.Equal(HttpStatusCode.Created, byDigest.StatusCode);
        using (var missing = await operatorKey.PostAsJsonAsync($"/rollouts/api/v1/registries/{id}/import", new { repository = "edge/kiosk-app", tag = "9.9.9", deviceTypes = new[] { "rpi4" } }, Ct))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamKey);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/rollouts/api/v1/registries/{id}/repositories", Ct)).StatusCode);
    }
}
