using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// The seed's login returns the user's one login key: never more than the user holds, rotated on every login,
/// revoked by a password change or a disable, listed and revocable like any other key. The IP ACL cannot lock its user out.
/// </summary>
public sealed class AccountSecurityTests(DnsHostFixture fixture) : IClassFixture<DnsHostFixture>
{
    private const string Password = "correct horse battery staple";

    private async Task<JsonObject> LoginAsync(string username, string password = Password)
    {
        using var anonymous = fixture.Api(null);
        return await anonymous.PostJsonAsync("auth/login", new { username, password }, HttpStatusCode.OK);
    }

    private async Task<HttpStatusCode> StatusWithAsync(string key)
    {
        using var client = fixture.Api(key);
        using var response = await client.GetAsync("zones/list");
        return response.StatusCode;
    }

    [Fact]
    public async Task Each_login_rotates_the_users_one_login_key()
    {
        var (_, username, first) = await fixture.NewAccountAsync();

        var second = await LoginAsync(username);
        using var session = await IdentityClient.SignInAsync(fixture.Host, username, Password);
        var keys = await session.GetFromJsonAsync<JsonArray>("/api/v1/api-keys");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(first));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync((string)second["key"]!));
        var live = keys!.Where(k => k!["revokedAt"] is null).ToList();
        var login = Assert.Single(live);
        Assert.Equal((string)second["keyId"]!, (string)login!["id"]!);
        Assert.True((bool)login["login"]!);
        Assert.False((bool)login["hostAdmin"]!);
        Assert.NotNull(login["expiresAt"]);
    }

    [Fact]
    public async Task A_login_key_is_revocable_like_any_other()
    {
        var (_, username, key) = await fixture.NewAccountAsync();
        using var session = await IdentityClient.SignInAsync(fixture.Host, username, Password);
        var id = (string)(await session.GetFromJsonAsync<JsonArray>("/api/v1/api-keys"))!.Single()!["id"]!;

        using var revoked = await session.DeleteAsync($"/api/v1/api-keys/{id}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(key));
    }

    [Fact]
    public async Task A_password_change_revokes_the_login_key()
    {
        var (api, username, key) = await fixture.NewAccountAsync();

        await api.PostJsonAsync("user/change_password", new { password = Password, new_password = "another long password 3" }, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(key));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync((string)(await LoginAsync(username, "another long password 3"))["key"]!));
    }

    [Fact]
    public async Task Disabling_a_user_revokes_the_login_key()
    {
        var (_, username, key) = await fixture.NewAccountAsync();
        using var admin = fixture.Api(fixture.Host.AdminKey);

        await admin.PostJsonAsync($"user/{username}/toggle", null, HttpStatusCode.OK);
        await admin.PostJsonAsync($"user/{username}/toggle", null, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(key));
    }

    [Fact]
    public async Task The_host_admins_login_key_is_not_a_host_admin_key()
    {
        var login = await LoginAsync("admin", HostProcess.AdminPassword);
        using var key = fixture.Host.ClientWithKey((string)login["key"]!);

        var me = await key.GetFromJsonAsync<JsonObject>("/api/v1/auth/me");
        using var users = await key.GetAsync("/api/v1/users");

        Assert.False((bool)me!["isHostAdmin"]!);
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
    }

    [Fact]
    public async Task Removing_an_acl_entry_that_would_lock_the_key_out_is_refused()
    {
        var (api, _, _) = await fixture.NewAccountAsync();
        using (var own = await api.PutAsJsonAsync("user/acl", new { acl = "127.0.0.1" })) await own.JsonAsync(HttpStatusCode.OK);
        using (var other = await api.PutAsJsonAsync("user/acl", new { acl = "192.0.2.0/24" })) await other.JsonAsync(HttpStatusCode.OK);

        using var lockout = await api.DeleteAsync("user/acl?acl=127.0.0.1");
        var problem = await lockout.JsonAsync(HttpStatusCode.BadRequest);
        using var other2 = await api.DeleteAsync("user/acl?acl=192.0.2.0/24");
        await other2.JsonAsync(HttpStatusCode.OK);
        using var last = await api.DeleteAsync("user/acl?acl=127.0.0.1");
        await last.JsonAsync(HttpStatusCode.OK);

        Assert.NotNull(problem["errors"]!["acl"]);
        Assert.Empty((await api.GetJsonAsync("user/acl"))["acl"]!.AsArray());
    }

    [Fact]
    public async Task A_host_admin_clears_a_users_acl()
    {
        var (api, username, key) = await fixture.NewAccountAsync();
        using var session = await IdentityClient.SignInAsync(fixture.Host, username, Password);
        using (var lockedOut = await session.PutAsJsonAsync("/dns/api/user/acl", new { acl = "192.0.2.0/24" })) await lockedOut.JsonAsync(HttpStatusCode.OK);
        using (var denied = await api.GetAsync("zones/list")) Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var other = fixture.Api((await fixture.NewAccountAsync()).Key);
        using var notAdmin = await other.DeleteAsync($"user/{username}/acl");

        using var admin = fixture.Api(fixture.Host.AdminKey);
        using var clear = await admin.DeleteAsync($"user/{username}/acl");
        var cleared = await clear.JsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Empty(cleared["acl"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(key));
    }
}

/// <summary>A host with the host's default login limits (10 attempts a minute) and sign-up left off.</summary>
public sealed class ThrottledDnsHostFixture : DnsHostFixture
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Edgeplane__Security__LoginAttemptsPerMinute"] = "10";
        settings["Edgeplane__Security__FailedAttemptsPerMinute"] = "20";
    }
}

/// <summary>Every login and sign-up route goes through the host's login limit; sign-up only when the operator allows it.</summary>
public sealed class LoginThrottleTests(ThrottledDnsHostFixture fixture) : IClassFixture<ThrottledDnsHostFixture>
{
    [Fact]
    public async Task Signup_is_refused_unless_the_operator_allows_it()
    {
        using var anonymous = fixture.Api(null);
        var username = "u" + Guid.NewGuid().ToString("N")[..12];

        using var signup = await anonymous.PostAsJsonAsync("auth/signup", new { username, password = "correct horse battery staple" });
        using var admin = fixture.Host.AdminClient();
        var users = await admin.GetFromJsonAsync<JsonArray>("/api/v1/users");

        Assert.Equal(HttpStatusCode.Forbidden, signup.StatusCode);
        Assert.Contains("AllowSignup", await signup.Content.ReadAsStringAsync());
        Assert.DoesNotContain(users!, u => (string)u!["username"]! == username);
    }

    [Fact]
    public async Task Wrong_passwords_on_the_plugin_login_get_429_like_the_host_login()
    {
        using var anonymous = fixture.Api(null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var response = await anonymous.PostAsJsonAsync("auth/login", new { username = "admin", password = $"wrong password {i}" });
            statuses.Add(response.StatusCode);
        }
        using var hostLogin = await fixture.Host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = HostProcess.AdminPassword });

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.True(statuses.Count >= 11, string.Join(", ", statuses));
        Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, hostLogin.StatusCode);
    }
}
