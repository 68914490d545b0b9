using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Testing;

/// <summary>
/// Makes users, teams and API keys through the host's own API, the way an operator would: the
/// bootstrap admin signs in (session-only operations), creates what the test needs and hands out keys.
/// </summary>
public sealed class IdentityClient : IDisposable
{
    private readonly HostProcess _host;
    private readonly HttpClient _session;

    private IdentityClient(HostProcess host, HttpClient session)
    {
        _host = host;
        _session = session;
    }

    /// <summary>Signs in as the bootstrap admin.</summary>
    public static async Task<IdentityClient> SignInAsAdminAsync(HostProcess host) =>
        new(host, await SignInAsync(host, "admin", HostProcess.AdminPassword));

    /// <summary>A client carrying a session cookie and the CSRF header, as a browser would.</summary>
    public static async Task<HttpClient> SignInAsync(HostProcess host, string username, string password, string? teamId = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password, teamId });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"login failed: {(int)response.StatusCode} {body}");
        client.DefaultRequestHeaders.Add("X-CSRF-Token", (string)body!["csrfToken"]!);
        return client;
    }

    public HttpClient Session => _session;

    /// <summary>Creates a user (password <c>password-for-{username}</c>) and returns its id and personal team id.</summary>
    public async Task<(string UserId, string TeamId)> CreateUserAsync(string username, bool isHostAdmin = false)
    {
        var user = await PostAsync("/api/v1/users", new { username, password = PasswordFor(username), isHostAdmin });
        return ((string)user["id"]!, (string)user["personalTeamId"]!);
    }

    public static string PasswordFor(string username) => $"password-for-{username}";

    public async Task<string> CreateTeamAsync(string name) => (string)(await PostAsync("/api/v1/teams", new { name }))["id"]!;

    public async Task AddMemberAsync(string teamId, string userId, string role)
    {
        using var response = await _session.PutAsJsonAsync($"/api/v1/teams/{teamId}/members/{userId}", new { role });
        await EnsureAsync(response);
    }

    /// <summary>A new user who is a member of <paramref name="teamId"/> with <paramref name="role"/>, and an API key of that role for it.</summary>
    public async Task<string> KeyForNewMemberAsync(string teamId, string role, DateTimeOffset? expiresAt = null)
    {
        var (session, key) = await NewMemberAsync(teamId, role, expiresAt);
        session.Dispose();
        return key;
    }

    /// <summary>A new user who is a member of <paramref name="teamId"/> with <paramref name="role"/>: a session of it in the team, and an API key of that role it minted.</summary>
    public async Task<(HttpClient Session, string Key)> NewMemberAsync(string teamId, string role, DateTimeOffset? expiresAt = null)
    {
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        var (userId, _) = await CreateUserAsync(username);
        await AddMemberAsync(teamId, userId, role);
        var session = await SignInAsync(_host, username, PasswordFor(username), teamId);
        using var response = await session.PostAsJsonAsync("/api/v1/api-keys", new { name = "test", teamId, role, expiresAt });
        await EnsureAsync(response);
        return (session, (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["plaintext"]!);
    }

    private async Task<JsonObject> PostAsync(string path, object body)
    {
        using var response = await _session.PostAsJsonAsync(path, body);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _session.Dispose();
}
