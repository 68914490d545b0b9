using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Artifacts;

/// <summary>
/// A host for the artifact, update-repository and SBOM tests: Rollouts only, SQLite, a short timestamp lifetime
/// (10 s) with the refresh job every second, a team with viewer/operator/admin keys and another team.
/// </summary>
public sealed class ArtifactsFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;
    public string TeamId { get; private set; } = "";
    public Dictionary<string, string> Keys { get; } = [];
    public string OtherTeamKey { get; private set; } = "";
    public TempDirectory Work { get; } = new();

    public static Dictionary<string, string?> Settings(int devicePort) => new()
    {
        ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = devicePort.ToString(),
        ["Edgeplane__Plugins__rollouts__Tuf__TimestampLifetime"] = "00:00:10",
        ["Edgeplane__Plugins__rollouts__Tuf__RefreshInterval"] = "00:00:01",
    };

    public async ValueTask InitializeAsync()
    {
        await NodeGrpc.EnsureInstalledAsync();
        Host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Rollouts"], Environment = Settings(FreePort.Next()) });
        using var admin = await IdentityClient.SignInAsAdminAsync(Host);
        TeamId = await admin.CreateTeamAsync("artifacts");
        foreach (var role in RolloutsFixture.RoleNames) Keys[role] = await admin.KeyForNewMemberAsync(TeamId, role);
        OtherTeamKey = await admin.KeyForNewMemberAsync(await admin.CreateTeamAsync("artifacts-other"), "admin");
    }

    public HttpClient Key(string role) => Host.ClientWithKey(Keys[role]);

    public string MetadataUrl => new Uri(Host.BaseAddress, "/rollouts/tuf").ToString();
    public string TargetsUrl => new Uri(Host.BaseAddress, "/rollouts/tuf/targets").ToString();

    public static MultipartFormDataContent Upload(string? name, string? version, string? deviceTypes, byte[]? payload, string fileName = "firmware.bin",
        string? description = null)
    {
        var form = new MultipartFormDataContent();
        if (name is not null) form.Add(new StringContent(name), "name");
        if (version is not null) form.Add(new StringContent(version), "version");
        if (deviceTypes is not null) form.Add(new StringContent(deviceTypes), "deviceTypes");
        if (description is not null) form.Add(new StringContent(description), "description");
        if (payload is not null)
        {
            var file = new ByteArrayContent(payload);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "file", fileName);
        }
        return form;
    }

    /// <summary>Publishes an artifact as the operator and returns its JSON.</summary>
    public async Task<JsonObject> PublishAsync(string name, string version, byte[] payload, string deviceTypes = "rpi4")
    {
        using var client = Key("operator");
        using var response = await client.PostAsync("/rollouts/api/v1/artifacts", Upload(name, version, deviceTypes, payload));
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        if ((int)response.StatusCode != 201) throw new InvalidOperationException($"publish: {(int)response.StatusCode} {json}");
        return json!;
    }

    public ValueTask DisposeAsync()
    {
        Work.Dispose();
        return Host.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ArtifactsCollection : ICollectionFixture<ArtifactsFixture>
{
    public const string Name = "rollouts artifacts host";
}

/// <summary>Runs node/tuf-client.js (tuf-js) and returns its JSON line.</summary>
public static class TufJs
{
    public static async Task<JsonObject> RunAsync(string metadataUrl, string targetsUrl, string trustedRoot, string cacheDir, string? target = null, string? auth = null,
        string? outFile = null)
    {
        await NodeGrpc.EnsureInstalledAsync();
        var args = new List<string> { Path.Combine(NodeGrpc.Folder, "tuf-client.js"), "--metadata-url", metadataUrl, "--targets-url", targetsUrl, "--root", trustedRoot, "--dir", cacheDir };
        if (target is not null) args.AddRange(["--target", target, "--out", outFile ?? Path.Combine(cacheDir, "download.bin")]);
        if (auth is not null) args.AddRange(["--auth", auth]);
        var (code, output) = await NodeGrpc.RunAsync("node", args, TimeSpan.FromSeconds(90));
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (line is null) throw new InvalidOperationException($"tuf-client exited {code}: {output}");
        return JsonNode.Parse(line)!.AsObject();
    }
}
