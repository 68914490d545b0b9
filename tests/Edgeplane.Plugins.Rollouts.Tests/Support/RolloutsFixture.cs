using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Rollouts.Tests.Support;

/// <summary>
/// One real host with only the Rollouts plugin (SQLite in a temp data directory), its device API on a
/// free 127.0.0.1 port, a team "fleet" with a member, an API key and a session per role, and another team.
/// </summary>
public sealed class RolloutsFixture : IAsyncLifetime
{
    public static readonly string[] RoleNames = ["viewer", "operator", "admin"];

    public HostProcess Host { get; private set; } = null!;
    public IdentityClient Admin { get; private set; } = null!;
    public string TeamId { get; private set; } = "";
    public string OtherTeamId { get; private set; } = "";
    public int DevicePort { get; private set; }
    public Dictionary<string, string> Keys { get; } = [];
    public Dictionary<string, HttpClient> Sessions { get; } = [];
    public Dictionary<string, string> Usernames { get; } = [];
    public string OtherTeamAdminKey { get; private set; } = "";
    public TempDirectory Work { get; } = new();
    public string CaPath => Work.Combine("device-ca.pem");
    public string DeviceTarget => $"127.0.0.1:{DevicePort}";
    public Uri DeviceUri => new($"https://127.0.0.1:{DevicePort}");

    /// <summary>Extra host settings a derived fixture wants (e.g. the check-in interval).</summary>
    public static Dictionary<string, string?> Settings(int devicePort) => new()
    {
        ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = devicePort.ToString(),
        ["Edgeplane__Plugins__rollouts__CheckInInterval"] = "00:00:01",
        ["Edgeplane__Plugins__rollouts__CertificateLifetime"] = "01:00:00",
    };

    public async ValueTask InitializeAsync()
    {
        DevicePort = FreePort.Next();
        Host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Rollouts"], Environment = Settings(DevicePort) });
        await WaitForPortAsync(DevicePort);
        Admin = await IdentityClient.SignInAsAdminAsync(Host);
        TeamId = await Admin.CreateTeamAsync("fleet");
        OtherTeamId = await Admin.CreateTeamAsync("other-fleet");
        foreach (var role in RoleNames)
        {
            var username = $"{role}-{Guid.NewGuid():N}"[..20];
            var (userId, _) = await Admin.CreateUserAsync(username);
            await Admin.AddMemberAsync(TeamId, userId, role);
            Usernames[role] = username;
            Sessions[role] = await IdentityClient.SignInAsync(Host, username, IdentityClient.PasswordFor(username), TeamId);
            using var key = await Sessions[role].PostAsJsonAsync("/api/v1/api-keys", new { name = "test", teamId = TeamId, role });
            key.EnsureSuccessStatusCode();
            Keys[role] = (string)(await key.Content.ReadFromJsonAsync<JsonObject>())!["plaintext"]!;
        }
        OtherTeamAdminKey = await Admin.KeyForNewMemberAsync(OtherTeamId, "admin");
        var ca = await Host.ClientWithKey(Keys["viewer"]).GetFromJsonAsync<JsonObject>("/rollouts/api/v1/device-ca");
        await File.WriteAllTextAsync(CaPath, (string)ca!["certificate"]!);
    }

    public HttpClient Key(string role) => Host.ClientWithKey(Keys[role]);

    /// <summary>An enrollment token made by the admin's session.</summary>
    public async Task<JsonObject> CreateTokenAsync(object body)
    {
        using var response = await Sessions["admin"].PostAsJsonAsync("/rollouts/api/v1/enroll-tokens", body);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"token: {(int)response.StatusCode} {json}");
        return json!;
    }

    public async Task<string> NewTokenAsync(long? maxUses = 10, int expiresInSeconds = 3600, string? groupId = null, object? labels = null) =>
        (string)(await CreateTokenAsync(new { name = "t-" + Guid.NewGuid().ToString("N")[..8], maxUses, expiresInSeconds, groupId, labels }))["token"]!;

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"the device API did not listen on {port}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in Sessions.Values) session.Dispose();
        Admin.Dispose();
        await Host.DisposeAsync();
        Work.Dispose();
    }
}
