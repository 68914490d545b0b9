using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Observability;

/// <summary>Every database command is timed and exported, attributed to the plugin whose route ran it.</summary>
public sealed class DatabaseMetricsTests
{
    [Fact]
    public async Task Database_commands_are_exported_with_provider_operation_and_plugin()
    {
        var ct = TestContext.Current.CancellationToken;
        using var plugins = new TempDirectory();
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin("Greeter"), plugins.Combine("greeter"));
        await using var host = await HostProcess.StartAsync(new HostOptions { Environment = { ["Edgeplane__Plugins__Directories"] = plugins.Path } });
        using var admin = host.AdminClient();
        (await admin.GetAsync("/greeter/greetings", ct)).EnsureSuccessStatusCode();
        (await admin.GetAsync("/api/v1/users", ct)).EnsureSuccessStatusCode();

        var metrics = await host.Client.GetStringAsync("/metrics", ct);

        var lines = metrics.Split('\n').Where(l => l.StartsWith("edgeplane_db_command_duration_seconds_count{", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains("db_system=\"sqlite\"") && l.Contains("plugin=\"greeter\"") && l.Contains("db_operation=\"query\""));
        Assert.Contains(lines, l => l.Contains("plugin=\"host\""));
    }
}
