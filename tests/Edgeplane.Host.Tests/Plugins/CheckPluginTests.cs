using System.Diagnostics;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary><c>dotnet Edgeplane.Host.dll check-plugin &lt;folder&gt;</c>: a plugin author's check, run as they would run it.</summary>
public sealed class CheckPluginTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Plugin(string built, string folder, Action<string>? change = null)
    {
        var target = _dir.Combine(folder);
        TempDirectory.CopyDirectory(RepoPaths.TestPlugin(built), target);
        change?.Invoke(target);
        return target;
    }

    private static void Manifest(string folder, Action<JsonNode> change)
    {
        var path = Path.Combine(folder, "plugin.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        change(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }

    private static async Task<(int Code, string Output)> CheckAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.HostDirectory };
        foreach (var arg in (string[])[RepoPaths.HostAssembly, "check-plugin", .. arguments]) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(HostProcess.StartTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task A_good_plugin_passes_every_check_and_its_migrations_run_on_a_throwaway_database()
    {
        var (code, output) = await CheckAsync(Plugin("Greeter", "greeter"));

        Assert.True(code == 0, output);
        Assert.Contains("greeter 1.2.0: ok", output);
        Assert.DoesNotContain("API key", output); // no first admin is made for a check
    }

    [Fact]
    public async Task A_plugin_for_another_sdk_fails_the_check_naming_the_range()
    {
        var (code, output) = await CheckAsync(Plugin("Greeter", "future", f => Manifest(f, m => m["sdk"] = "[9.0,10.0)")));

        Assert.Equal(1, code);
        Assert.Contains("greeter 1.2.0: incompatible: supports SDK [9.0,10.0)", output);
    }

    [Fact]
    public async Task A_missing_dependency_fails_the_check_naming_it()
    {
        var (code, output) = await CheckAsync(Plugin("Greeter", "lonely", f => File.Delete(Path.Combine(f, "Humanizer.dll"))));

        Assert.Equal(1, code);
        Assert.Contains("dependency 'Humanizer' 2.14.0.0 could not be loaded", output);
    }

    [Fact]
    public async Task A_route_that_cannot_be_bound_fails_the_check_naming_it_with_the_operators_settings()
    {
        var (code, output) = await CheckAsync(Plugin("Crashing", "crashing"), "--Edgeplane:Plugins:crashing:UnbindableRoute=true");

        Assert.Equal(1, code);
        Assert.Contains("route GET /crashing/unbindable cannot be built", output);
    }

    [Fact]
    public async Task A_bad_manifest_fails_the_check_naming_the_field()
    {
        var (code, output) = await CheckAsync(Plugin("Greeter", "nameless", f => Manifest(f, m => m["name"] = "")));

        Assert.Equal(1, code);
        Assert.Contains("plugin.json 'name' is required", output);
    }

    [Fact]
    public async Task A_folder_without_a_manifest_is_not_a_plugin()
    {
        var (code, output) = await CheckAsync(Plugin("Greeter", "bare", f => File.Delete(Path.Combine(f, "plugin.json"))));

        Assert.Equal(1, code);
        Assert.Contains("not a plugin (no plugin.json)", output);
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_is_a_usage_error() =>
        Assert.Equal(2, (await CheckAsync(_dir.Combine("missing"))).Code);

    public void Dispose() => _dir.Dispose();
}
