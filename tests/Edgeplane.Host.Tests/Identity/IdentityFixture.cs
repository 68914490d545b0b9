using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>One host with the Greeter test plugin and a team with a key per role, plus another team's key.</summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;
    public IdentityClient Admin { get; private set; } = null!;
    public string TeamId { get; private set; } = "";
    public string OtherTeamId { get; private set; } = "";
    public Dictionary<string, string> Keys { get; } = [];
    public string OtherTeamAdminKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var plugins = new TempDirectory();
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin("Greeter"), plugins.Combine("greeter"));
        Host = await HostProcess.StartAsync(new HostOptions { Environment = { ["Edgeplane__Plugins__Directories"] = plugins.Path } });
        Admin = await IdentityClient.SignInAsAdminAsync(Host);
        TeamId = await Admin.CreateTeamAsync("blue");
        OtherTeamId = await Admin.CreateTeamAsync("red");
        foreach (var role in new[] { "viewer", "operator", "admin" })
            Keys[role] = await Admin.KeyForNewMemberAsync(TeamId, role);
        OtherTeamAdminKey = await Admin.KeyForNewMemberAsync(OtherTeamId, "admin");
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}
