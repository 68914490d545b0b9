using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Testing.Permissions;

/// <summary>
/// One API key per <see cref="Credential"/>, made through the host's own API: a team with a viewer, an operator and an
/// admin member (each minting their own key, and signed in: <see cref="Sessions"/>), a viewer key the host admin mints for
/// that team, an admin of another team, a revoked key, an expired key, a key that was never issued, and the host's first
/// admin's host-admin key.
/// </summary>
public sealed class MatrixCredentials : IDisposable
{
    private readonly Dictionary<Credential, string?> _keys = [];

    public string TeamId { get; private set; } = "";
    public string OtherTeamId { get; private set; } = "";

    public string? this[Credential credential] => _keys[credential];

    public static readonly string[] Roles = ["viewer", "operator", "admin"];

    /// <summary>A browser session (cookie and CSRF header) of the team's viewer, operator and admin, by role.</summary>
    public Dictionary<string, HttpClient> Sessions { get; } = [];

    public static async Task<MatrixCredentials> CreateAsync(HostProcess host)
    {
        var credentials = new MatrixCredentials();
        using var identity = await IdentityClient.SignInAsAdminAsync(host);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        credentials.TeamId = await identity.CreateTeamAsync("matrix-" + suffix);
        credentials.OtherTeamId = await identity.CreateTeamAsync("matrix-other-" + suffix);
        var team = credentials.TeamId;
        // expires while the rest is made; never used before
        var expiring = await MintAsync(identity.Session, team, "admin", DateTimeOffset.UtcNow.AddSeconds(2));
        var roles = await Task.WhenAll(Roles.Select(role => identity.NewMemberAsync(team, role)));
        credentials._keys[Credential.Viewer] = roles[0].Key;
        credentials._keys[Credential.Operator] = roles[1].Key;
        credentials._keys[Credential.Admin] = roles[2].Key;
        for (var i = 0; i < Roles.Length; i++) credentials.Sessions[Roles[i]] = roles[i].Session;
        credentials._keys[Credential.ViewerMintedByHostAdmin] = (await MintAsync(identity.Session, team, "viewer", null)).Plaintext;
        credentials._keys[Credential.OtherTeamAdmin] = await identity.KeyForNewMemberAsync(credentials.OtherTeamId, "admin");
        var revoked = await MintAsync(identity.Session, team, "admin", null);
        using (var revoke = await identity.Session.DeleteAsync($"/api/v1/api-keys/{revoked.Id}"))
            if (!revoke.IsSuccessStatusCode) throw new InvalidOperationException($"revoking a key: {(int)revoke.StatusCode}");
        credentials._keys[Credential.RevokedKey] = revoked.Plaintext;
        credentials._keys[Credential.ExpiredKey] = expiring.Plaintext;
        credentials._keys[Credential.BadKey] = "ep_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        credentials._keys[Credential.None] = null;
        credentials._keys[Credential.HostAdmin] = host.AdminKey;
        var wait = expiring.ExpiresAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait + TimeSpan.FromMilliseconds(100));
        return credentials;
    }

    private static async Task<(string Id, string Plaintext, DateTimeOffset ExpiresAt)> MintAsync(HttpClient session, string teamId, string role, DateTimeOffset? expiresAt)
    {
        using var response = await session.PostAsJsonAsync("/api/v1/api-keys", new { name = $"matrix {role}", teamId, role, expiresAt });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"minting a key: {(int)response.StatusCode} {body}");
        return ((string)body!["key"]!["id"]!, (string)body["plaintext"]!, expiresAt ?? DateTimeOffset.MaxValue);
    }

    public void Dispose()
    {
        foreach (var session in Sessions.Values) session.Dispose();
    }
}
