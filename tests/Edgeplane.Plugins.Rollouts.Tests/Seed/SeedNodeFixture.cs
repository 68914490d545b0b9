using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Seed;

/// <summary>
/// A single-plugin node as the README's drop-in line makes it: only the Rollouts plugin, its mount with the <c>seed</c>
/// profile at the root of its own port (so the document's <c>/api/v1/...</c> is the whole URL), the device API on
/// another. The users the document's administration works with are made once through the host's own API: a team
/// with a viewer, an operator and an admin, each with a browser session on the seed port and an API key.
/// </summary>
public sealed class SeedNodeFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;
    public int SeedPort { get; private set; }
    public int DevicePort { get; private set; }
    public Uri BaseAddress => new($"http://127.0.0.1:{SeedPort}");
    public Uri DeviceUri => new($"https://127.0.0.1:{DevicePort}");
    public string TeamId { get; private set; } = "";
    public Dictionary<string, string> Keys { get; } = [];
    public Dictionary<string, string> Usernames { get; } = [];
    public TempDirectory Work { get; } = new();
    public string CaPath => Work.Combine("device-ca.pem");

    public async ValueTask InitializeAsync()
    {
        SeedPort = FreePort.Next();
        DevicePort = FreePort.Next();
        Host = await HostProcess.StartAsync(new HostOptions
        {
            Plugins = ["Edgeplane.Plugins.Rollouts"],
            Environment = new()
            {
                ["Edgeplane__Plugins__rollouts__Mounts__0__At"] = $":{SeedPort}",
                ["Edgeplane__Plugins__rollouts__Mounts__0__Profile"] = "seed",
                ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = DevicePort.ToString(),
                ["Edgeplane__Plugins__rollouts__CheckInInterval"] = "00:00:01",
            },
        });
        using var admin = await IdentityClient.SignInAsAdminAsync(Host);
        TeamId = await admin.CreateTeamAsync("seed-fleet");
        foreach (var role in RolloutsFixture.RoleNames)
        {
            var username = $"{role}-{Guid.NewGuid():N}"[..20];
            var (userId, _) = await admin.CreateUserAsync(username);
            await admin.AddMemberAsync(TeamId, userId, role);
            Usernames[role] = username;
            using var session = await IdentityClient.SignInAsync(Host, username, IdentityClient.PasswordFor(username), TeamId);
            using var key = await session.PostAsJsonAsync("/api/v1/api-keys", new { name = "automation", teamId = TeamId, role });
            key.EnsureSuccessStatusCode();
            Keys[role] = (string)(await key.Content.ReadFromJsonAsync<JsonObject>())!["plaintext"]!;
        }
        using var viewer = Key("viewer");
        var ca = await viewer.GetFromJsonAsync<JsonObject>("/api/v1/device-ca");
        await File.WriteAllTextAsync(CaPath, (string)ca!["certificate"]!);
    }

    /// <summary>A client sending <c>Authorization: Bearer &lt;key&gt;</c> to the seed port, as the document says.</summary>
    public HttpClient Key(string role) => Host.ClientWithKey(Keys[role], BaseAddress);

    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Signs in on the seed port with <c>POST /api/v1/auth/login</c>: the cookie the answer sets, and the CSRF token it
    /// returns sent back in <c>X-CSRF-Token</c> on changes, as the console does.
    /// </summary>
    public async Task<HttpClient> SessionAsync(string role) =>
        await SessionAsync(Usernames[role], IdentityClient.PasswordFor(Usernames[role]), TeamId);

    public async Task<HttpClient> SessionAsync(string username, string password, string? teamId = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password, teamId });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"login: {(int)response.StatusCode} {body}");
        client.DefaultRequestHeaders.Add("X-CSRF-Token", (string)body!["csrfToken"]!);
        return client;
    }

    /// <summary>An enrollment token minted by the admin's session on the seed port.</summary>
    public async Task<string> TokenAsync(string? groupId = null)
    {
        using var admin = await SessionAsync("admin");
        using var response = await admin.PostAsJsonAsync("/api/v1/enroll-tokens", new { name = "t-" + Guid.NewGuid().ToString("N")[..8], maxUses = 5, groupId });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"token: {(int)response.StatusCode} {body}");
        return (string)body!["token"]!;
    }

    /// <summary>The reference agent, enrolled with a fresh token into <paramref name="groupId"/>, running until disposed.</summary>
    public async Task<AgentProcess> DeviceAsync(string name, string? groupId = null, params string[] extra)
    {
        var state = Work.Combine(name);
        Directory.CreateDirectory(state);
        var agent = AgentProcess.Start(["--server", DeviceUri.ToString(), "--ca", CaPath, "--state-dir", state, "--token", await TokenAsync(groupId),
            "--name", name, "--device-type", "rpi4", "--software", "firmware=1.0.0", .. extra]);
        await agent.WaitForAsync("checked_in");
        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Work.Dispose();
    }
}
