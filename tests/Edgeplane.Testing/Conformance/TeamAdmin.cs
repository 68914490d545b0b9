using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Testing.Conformance;

/// <summary>A new user with the admin role in a team: an API key of the team (<see cref="Key"/>) and a browser session in it (<see cref="Session"/>).</summary>
public sealed class TeamAdmin : IDisposable
{
    private TeamAdmin(string teamId, string username, HttpClient key, HttpClient session)
    {
        TeamId = teamId;
        Username = username;
        Key = key;
        Session = session;
    }

    public string TeamId { get; }
    public string Username { get; }
    public HttpClient Key { get; }
    public HttpClient Session { get; }

    public static async Task<TeamAdmin> CreateAsync(HostProcess host, IdentityClient identity, string teamId)
    {
        var username = $"admin-{Guid.NewGuid():N}"[..20];
        var (userId, _) = await identity.CreateUserAsync(username);
        await identity.AddMemberAsync(teamId, userId, "admin");
        var session = await IdentityClient.SignInAsync(host, username, IdentityClient.PasswordFor(username), teamId);
        using var minted = await session.PostAsJsonAsync("/api/v1/api-keys", new { name = "team admin", teamId, role = "admin" });
        var body = await minted.Content.ReadFromJsonAsync<JsonObject>();
        if (!minted.IsSuccessStatusCode) throw new InvalidOperationException($"minting a key: {(int)minted.StatusCode} {body}");
        return new TeamAdmin(teamId, username, host.ClientWithKey((string)body!["plaintext"]!), session);
    }

    public void Dispose()
    {
        Key.Dispose();
        Session.Dispose();
    }
}
