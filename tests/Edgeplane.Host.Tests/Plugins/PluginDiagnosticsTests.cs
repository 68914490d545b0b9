namespace Edgeplane.Host.Tests.Plugins;

/// <summary>What the host's log tells an operator about plugins that are wrong: the level fits, the cause is there.</summary>
public sealed class PluginDiagnosticsTests(PluginMatrixFixture fixture) : IClassFixture<PluginMatrixFixture>
{
    private string[] Lines => fixture.Host.Output.Split('\n');

    /// <summary>The level of the log entry whose message contains <paramref name="text"/> (the console's <c>fail:</c>, <c>warn:</c>, <c>info:</c>).</summary>
    private string LevelOf(string text)
    {
        var lines = Lines;
        var at = Array.FindIndex(lines, l => l.Contains(text));
        Assert.True(at > 0, $"no log line contains '{text}':\n{fixture.Host.Output}");
        return lines[..at].Last(l => l.Length > 5 && l[4] == ':' && !l.StartsWith(' ')).Split(':')[0];
    }

    [Fact]
    public void A_plugin_that_fails_is_an_error_with_the_exceptions_type_and_stack()
    {
        Assert.Equal("fail", LevelOf("Plugin throwing 1.0.0: Failed"));
        Assert.Contains("System.InvalidOperationException: the throwing plugin refuses to register", fixture.Host.Output);
        Assert.Contains("at Edgeplane.TestPlugins.Throwing.ThrowingPlugin.ConfigureServices", fixture.Host.Output);
        Assert.Equal("fail", LevelOf("Plugin lonely 1.2.0: Failed"));
        Assert.Contains("System.IO.FileNotFoundException", fixture.Host.Output);
    }

    [Fact]
    public void A_background_service_that_fails_is_an_error_with_its_stack()
    {
        Assert.Equal("fail", LevelOf("Plugin stalling: a background service failed to start"));
        Assert.Contains("at Edgeplane.TestPlugins.Crashing.Worker.StartAsync", fixture.Host.Output);
    }

    [Fact]
    public void An_incompatible_plugin_is_a_warning() => Assert.Equal("warn", LevelOf("Plugin future 1.2.0: Incompatible"));

    [Fact]
    public void A_folder_without_a_manifest_is_a_warning_naming_it()
    {
        Assert.Equal("warn", LevelOf("has no plugin.json"));
        Assert.Contains(Lines, l => l.Contains("notes") && l.Contains("has no plugin.json"));
    }

    [Fact]
    public void A_plugin_carrying_a_copy_of_a_host_assembly_is_warned_and_still_serves()
    {
        Assert.Equal("warn", LevelOf("Plugin carrier in "));
        Assert.Contains(Lines, l => l.Contains("carries its own copy of Microsoft.Data.Sqlite.dll"));
        Assert.DoesNotContain(Lines, l => l.Contains("Plugin greeter in ")); // a plugin that carries none is not warned about
    }

    [Fact]
    public void A_handler_that_cannot_be_bound_names_its_route_and_method()
    {
        Assert.Equal("fail", LevelOf("Plugin unbound 1.0.0: Failed"));
        Assert.Contains(Lines, l => l.Contains("route GET /unbound/unbindable cannot be built"));
    }
}
