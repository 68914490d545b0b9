using Xunit;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// The host a plugin's conformance tests share: the real host serving only the plugin's folder, on a temporary SQLite
/// database. Derive one per plugin test project, naming the folder and the settings it needs to start alone.
/// </summary>
public abstract class ConformanceHost : IAsyncLifetime
{
    private readonly TempDirectory _plugins = new();

    private readonly SemaphoreSlim _teamLock = new(1, 1);
    private IdentityClient? _identity;
    private string? _teamId;

    /// <summary>
    /// The built plugin folder, as an operator drops it into a plugin directory (its <c>plugin.json</c> and assemblies); by
    /// default the test project's <c>&lt;AssemblyMetadata Include="EdgeplanePluginFolder" Value="…" /&gt;</c>.
    /// </summary>
    public virtual string PluginFolder => RepoPaths.ConfiguredPath("EdgeplanePluginFolder")
        ?? throw new InvalidOperationException("name the plugin's build output: <AssemblyMetadata Include=\"EdgeplanePluginFolder\" Value=\"…\" /> in the test project");

    /// <summary>Settings the plugin needs besides its folder (its own listeners on free ports, …); asked again for every host started.</summary>
    public virtual Dictionary<string, string?> Settings() => [];

    public HostProcess Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateSymbolicLink(_plugins.Combine(Path.GetFileName(PluginFolder.TrimEnd('/'))), PluginFolder);
        var settings = Settings();
        settings["Edgeplane__Plugins__Directories"] = _plugins.Path;
        Host = await HostProcess.StartAsync(new HostOptions { Environment = settings });
    }

    /// <summary>An API key of a new member with <paramref name="role"/> (<c>viewer</c>, <c>operator</c> or <c>admin</c>) of the tests' team, one team for all calls.</summary>
    public async Task<string> KeyForRoleAsync(string role)
    {
        await _teamLock.WaitAsync();
        try
        {
            _identity ??= await IdentityClient.SignInAsAdminAsync(Host);
            _teamId ??= await _identity.CreateTeamAsync("tests");
        }
        finally
        {
            _teamLock.Release();
        }
        return await _identity.KeyForNewMemberAsync(_teamId, role);
    }

    /// <summary>The bootstrap admin's browser session (for session-only routes: creating users, teams and keys).</summary>
    public async Task<HttpClient> AdminSessionAsync() => await IdentityClient.SignInAsync(Host, "admin", HostProcess.AdminPassword);

    public async ValueTask DisposeAsync()
    {
        _identity?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        _plugins.Dispose();
    }
}
