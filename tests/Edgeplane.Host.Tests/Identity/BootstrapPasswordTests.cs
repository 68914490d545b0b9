using System.Net;
using System.Net.Http.Json;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Identity;

/// <summary><c>Edgeplane:Bootstrap:AdminPassword</c> set after the first run is applied or refused loudly, never silently ignored.</summary>
public sealed class BootstrapPasswordTests : IDisposable
{
    private const string Later = "a-password-set-after-the-first-run";
    private readonly TempDirectory _data = new();

    private Task<HostProcess> StartAsync(string password) => HostProcess.StartAsync(new HostOptions
    {
        DataDirectory = _data.Path,
        Environment = new() { ["Edgeplane__Bootstrap__AdminPassword"] = password },
    });

    private static async Task<HttpStatusCode> LoginAsync(HostProcess host, string password)
    {
        using var response = await host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password }, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_password_set_after_a_first_run_without_one_is_applied()
    {
        await using (var first = await StartAsync(""))
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(first, Later));

        await using var second = await StartAsync(Later);

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(second, Later));
        Assert.Contains("Edgeplane:Bootstrap:AdminPassword applied", second.Output);
    }

    [Fact]
    public async Task A_password_set_when_the_admin_has_one_is_refused_with_a_warning()
    {
        await using (await StartAsync(HostProcess.AdminPassword)) { }

        await using var second = await StartAsync(Later);

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(second, Later));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(second, HostProcess.AdminPassword));
        Assert.Contains("user 'admin' already has a password: the setting is refused", second.Output);
    }

    [Fact]
    public async Task A_weak_password_set_after_the_first_run_stops_the_host()
    {
        await using (await StartAsync(HostProcess.AdminPassword)) { }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("short"));

        Assert.Contains("Edgeplane:Bootstrap:AdminPassword", refused.Message);
    }

    public void Dispose() => _data.Dispose();
}
