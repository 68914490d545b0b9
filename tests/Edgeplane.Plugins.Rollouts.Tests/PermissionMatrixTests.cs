using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>
/// Every operator route against viewer / operator / admin API keys and sessions, and no credential. Requests
/// name objects that do not exist or carry invalid bodies, so an allowed call answers 400 or 404 and changes nothing.
/// </summary>
[Collection(RolloutsCollection.Name)]
public sealed class PermissionMatrixTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>method, path, body, lowest role, permission, session only.</summary>
    public static TheoryData<string, string, string?, string, string, bool> Routes => new()
    {
        { "GET", "/auth/me", null, "viewer", "rollouts.profile.read", false },
        { "GET", "/profile", null, "viewer", "rollouts.profile.read", false },
        { "PATCH", "/profile", """{"displayName":""}""", "viewer", "rollouts.profile.write", false },
        { "GET", "/device-ca", null, "viewer", "rollouts.device-ca.read", false },
        { "GET", "/devices", null, "viewer", "rollouts.devices.read", false },
        { "GET", "/devices/no-such-device", null, "viewer", "rollouts.devices.read", false },
        { "PATCH", "/devices/no-such-device", """{"labels":{}}""", "operator", "rollouts.devices.write", false },
        { "DELETE", "/devices/no-such-device", null, "operator", "rollouts.devices.write", false },
        { "GET", "/devices/no-such-device/history", null, "viewer", "rollouts.devices.read", false },
        { "POST", "/devices/no-such-device/logs", "{}", "operator", "rollouts.logs.request", false },
        { "GET", "/devices/no-such-device/logs", null, "viewer", "rollouts.logs.read", false },
        { "GET", "/devices/no-such-device/logs/nope", null, "viewer", "rollouts.logs.read", false },
        { "GET", "/devices/no-such-device/logs/nope/download", null, "viewer", "rollouts.logs.read", false },
        { "POST", "/groups", "{}", "operator", "rollouts.groups.write", false },
        { "GET", "/groups", null, "viewer", "rollouts.groups.read", false },
        { "GET", "/groups/nope", null, "viewer", "rollouts.groups.read", false },
        { "PATCH", "/groups/nope", "{}", "operator", "rollouts.groups.write", false },
        { "DELETE", "/groups/nope", null, "operator", "rollouts.groups.write", false },
        { "GET", "/groups/nope/devices", null, "viewer", "rollouts.groups.read", false },
        { "PUT", "/groups/nope/devices/no-such-device", null, "operator", "rollouts.groups.write", false },
        { "DELETE", "/groups/nope/devices/no-such-device", null, "operator", "rollouts.groups.write", false },
        { "POST", "/enroll-tokens", "{}", "admin", "rollouts.enroll-tokens.write", true },
        { "GET", "/enroll-tokens", null, "admin", "rollouts.enroll-tokens.read", false },
        { "GET", "/enroll-tokens/nope", null, "admin", "rollouts.enroll-tokens.read", false },
        { "DELETE", "/enroll-tokens/nope", null, "admin", "rollouts.enroll-tokens.write", true },
        { "POST", "/auth/logout", null, "viewer", "rollouts.profile.read", true },
    };

    private static HttpRequestMessage Request(string method, string path, string? body) =>
        new(new HttpMethod(method), "/rollouts/api/v1" + path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_role_and_credential_gets_what_the_route_declares(string method, string path, string? body, string lowest, string permission, bool sessionOnly)
    {
        var failures = new List<string>();
        var access = new RouteAccess(sessionOnly ? Access.SessionOnly : Access.Permission, permission, lowest);
        foreach (var role in RolloutsFixture.RoleNames)
        {
            foreach (var kind in new[] { "key", "session" })
            {
                // Logging a fixture session out would end it for the other tests.
                if (path == "/auth/logout" && kind == "session") continue;
                var client = kind == "key" ? fixture.Key(role) : fixture.Sessions[role];
                using var response = await client.SendAsync(Request(method, path, body), Ct);
                if (access.Verdict(role, kind == "session", (int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct)) is { } wrong)
                    failures.Add($"{role} {kind}: {wrong}");
                if (kind == "key") client.Dispose();
            }
        }
        using var anonymous = await fixture.Host.Client.SendAsync(Request(method, path, body), Ct);
        if (anonymous.StatusCode != HttpStatusCode.Unauthorized) failures.Add($"anonymous: {(int)anonymous.StatusCode}, expected 401");
        Assert.True(failures.Count == 0, $"{method} {path}:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Another_teams_admin_sees_none_of_this_teams_fleet()
    {
        var token = await fixture.CreateTokenAsync(new { name = "private" });
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamAdminKey);

        var tokens = await other.GetFromJsonAsync<JsonObject>("/rollouts/api/v1/enroll-tokens", Ct);
        using var one = await other.GetAsync($"/rollouts/api/v1/enroll-tokens/{token["id"]}", Ct);

        Assert.DoesNotContain(tokens!["items"]!.AsArray(), t => (string)t!["id"]! == (string)token["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
    }
}
