using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Observability;

/// <summary>
/// One real host over a plugin directory with Greeter, Metered (every kind of instrument, a health
/// check configured unhealthy, typed routes) and Throwing (fails at registration).
/// </summary>
public sealed class ObservabilityFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public HostProcess Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var plugins = _dir.Combine("plugins");
        foreach (var (built, folder) in new[] { ("Greeter", "greeter"), ("Metered", "metered"), ("Throwing", "throwing") })
            TempDirectory.CopyDirectory(RepoPaths.TestPlugin(built), Path.Combine(plugins, folder));
        Host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Edgeplane__Plugins__Directories"] = plugins,
            ["Edgeplane__DataDirectory"] = _dir.Combine("data"),
            ["Edgeplane__Plugins__metered__Healthy"] = "false",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _dir.Dispose();
    }
}
