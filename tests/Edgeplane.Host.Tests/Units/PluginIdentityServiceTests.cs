using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using NSubstitute;

namespace Edgeplane.Host.Tests.Units;

/// <summary>The SDK's identity service refuses what the caller may not do, before it touches a user.</summary>
public sealed class PluginIdentityServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The refusals come before any use of the host's identity store, so none is given.
    private static PluginIdentityService Service(ICaller caller, bool allowSignup = false, int attemptsPerMinute = 100) =>
        new(null!, caller, new LoginThrottle(attemptsPerMinute, new FailedAttempts(100), new HttpContextAccessor()),
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Edgeplane:Identity:AllowSignup"] = allowSignup ? "true" : null }).Build());

    private static ICaller Caller(bool hostAdmin, CredentialKind credential)
    {
        var caller = Substitute.For<ICaller>();
        caller.IsAuthenticated.Returns(true);
        caller.UserId.Returns("u1");
        caller.IsHostAdmin.Returns(hostAdmin);
        caller.Credential.Returns(credential);
        return caller;
    }

    [Theory]
    [InlineData(true, CredentialKind.ApiKey)]
    [InlineData(false, CredentialKind.Session)]
    [InlineData(false, CredentialKind.None)]
    public async Task Only_a_host_admin_on_a_session_creates_users(bool hostAdmin, CredentialKind credential)
    {
        var refused = await Assert.ThrowsAsync<IdentityRefusedException>(() =>
            Service(Caller(hostAdmin, credential)).CreateUserAsync(new NewUser("mallory", "long enough password", IsHostAdmin: true), Ct));

        Assert.Equal(403, refused.StatusCode);
    }

    [Fact]
    public async Task Only_a_host_admin_enables_or_disables_users()
    {
        var refused = await Assert.ThrowsAsync<IdentityRefusedException>(() =>
            Service(Caller(false, CredentialKind.Session)).SetUserEnabledAsync("u2", false, Ct));

        Assert.Equal(403, refused.StatusCode);
    }

    [Fact]
    public async Task A_key_never_mints_or_revokes_keys_or_changes_members_whatever_its_role()
    {
        var key = Caller(true, CredentialKind.ApiKey);
        key.Role.Returns(Roles.Admin);
        key.TeamId.Returns("t1");
        var service = Service(key);

        var refusals = new[]
        {
            await Assert.ThrowsAsync<IdentityRefusedException>(() => service.CreateApiKeyAsync("ci", Roles.Viewer, cancellationToken: Ct)),
            await Assert.ThrowsAsync<IdentityRefusedException>(() => service.RevokeApiKeyAsync("k1", Ct)),
            await Assert.ThrowsAsync<IdentityRefusedException>(() => service.SetTeamMemberAsync("u2", Roles.Viewer, Ct)),
        };

        Assert.All(refusals, r => Assert.Equal(403, r.StatusCode));
        Assert.All(refusals, r => Assert.Contains("browser session", r.Message));
    }

    [Fact]
    public async Task Only_the_teams_admin_or_a_host_admin_changes_its_members()
    {
        var member = Caller(false, CredentialKind.Session);
        member.Role.Returns(Roles.Operator);
        member.TeamId.Returns("t1");

        var refused = await Assert.ThrowsAsync<IdentityRefusedException>(() => Service(member).SetTeamMemberAsync("u2", Roles.Viewer, Ct));

        Assert.Equal(403, refused.StatusCode);
    }

    [Fact]
    public async Task Sign_up_is_off_unless_the_operator_allows_it()
    {
        var refused = await Assert.ThrowsAsync<IdentityRefusedException>(() =>
            Service(Caller(false, CredentialKind.None)).SignUpAsync("newcomer", "long enough password", cancellationToken: Ct));

        Assert.Equal(403, refused.StatusCode);
        Assert.Contains("Edgeplane:Identity:AllowSignup", refused.Message);
    }

    [Fact]
    public void Past_the_attempt_limit_a_login_is_429()
    {
        var throttle = new LoginThrottle(2, new FailedAttempts(100), new HttpContextAccessor());
        throttle.Enter();
        throttle.Enter();

        var refused = Assert.Throws<IdentityRefusedException>(throttle.Enter);

        Assert.Equal(429, refused.StatusCode);
    }

    [Fact]
    public void An_address_with_too_many_failed_credentials_is_locked_out()
    {
        var throttle = new LoginThrottle(100, new FailedAttempts(2), new HttpContextAccessor());
        throttle.Failed();
        throttle.Failed();

        var refused = Assert.Throws<IdentityRefusedException>(throttle.Enter);

        Assert.Equal(429, refused.StatusCode);
    }
}
