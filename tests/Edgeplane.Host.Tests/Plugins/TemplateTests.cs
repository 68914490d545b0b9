using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// The plugin author's path, offline: the SDK, the test kit and the template packed into a local feed, the template installed
/// into a private CLI home, a plugin generated from it outside this repository, and its generated tests run green against
/// the host the kit carries.
/// </summary>
[Collection(PackingCollection.Name)]
public sealed partial class TemplateTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_generated_plugin_builds_loads_and_passes_its_generated_tests()
    {
        var feed = _dir.Combine("feed");
        var app = _dir.Combine("app");
        // The SDK and the kit as this test run built them (with the host it runs); the template package has nothing to build.
        foreach (var project in new[] { "src/Abstractions/Edgeplane.Abstractions.csproj", "tests/Edgeplane.Testing/Edgeplane.Testing.csproj" })
            await DotnetAsync(RepoPaths.Root, $"pack {project} -c {RepoPaths.Configuration} --no-build -o {feed} -nologo -v q", isolated: false);
        await DotnetAsync(RepoPaths.Root, $"pack templates/Edgeplane.Templates/Edgeplane.Templates.csproj -c {RepoPaths.Configuration} -o {feed} -nologo -v q", isolated: false);

        await DotnetAsync(_dir.Path, $"new install {Directory.GetFiles(feed, "Edgeplane.Templates.*.nupkg").Single()}");
        await DotnetAsync(_dir.Path, $"new edgeplane-plugin -n Contoso.Gadgets -o {app}");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{MachinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """, Ct);

        // the id, the types and the files are named after the project's last name segment: no "widget" is left
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app, "Contoso.Gadgets", "plugin.json"), Ct))!;
        Assert.Equal("gadgets", (string)manifest["id"]!);
        foreach (var file in new[] { "GadgetsPlugin.cs", "Api/GadgetsModule.cs", "Data/Gadget.cs", "Data/GadgetStore.cs", "Migrations/0001_tables.sql" })
            Assert.True(File.Exists(Path.Combine(app, "Contoso.Gadgets", file)), file);
        var left = Directory.EnumerateFiles(app, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains("widget", StringComparison.OrdinalIgnoreCase) || File.ReadAllText(f).Contains("widget", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(left.Count == 0, string.Join("\n", left));
        Assert.Equal("Contoso.Gadgets.dll", (string)manifest["entryAssembly"]!);
        var output = await DotnetAsync(app, "test Contoso.Gadgets.Tests -nologo");

        // the five conformance tests the kit brings and the two API tests
        var passed = PassedCount().Match(output);
        Assert.True(passed.Success && int.Parse(passed.Groups[1].Value) == 7 && !output.Contains("Failed:     1"), output);
        Assert.False(File.Exists(Path.Combine(app, "Contoso.Gadgets", "bin", "Debug", "net10.0", "Edgeplane.Abstractions.dll")), "the SDK comes from the host");
    }

    [Fact]
    public void The_templates_defaults_and_the_test_kit_name_the_sdk_this_repository_builds()
    {
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "templates", "Edgeplane.Templates", "content", "edgeplane-plugin", ".template.config", "template.json")))!;
        var major = int.Parse(SdkVersion().Split('.')[0]);

        Assert.Equal(SdkVersion(), (string)template["symbols"]!["sdkVersion"]!["defaultValue"]!);
        Assert.Equal($"[{major}.0,{major + 1}.0)", (string)template["symbols"]!["sdkRange"]!["defaultValue"]!);
        Assert.Equal(SdkVersion(), ProjectVersion("tests/Edgeplane.Testing/Edgeplane.Testing.csproj")); // the template references both with one version
    }

    private static string SdkVersion() => ProjectVersion("src/Abstractions/Edgeplane.Abstractions.csproj");

    private static string ProjectVersion(string project) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, project)).Descendants("Version").Single().Value;

    [GeneratedRegex(@"Passed: *(\d+)")]
    private static partial Regex PassedCount();

    /// <summary>The machine's package cache, read only here: the generated projects restore their public packages from it and nothing from a network.</summary>
    private static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs dotnet; <paramref name="isolated"/> with a private CLI home and package folder, so that nothing installed or cached leaks into the machine's, or back.</summary>
    private async Task<string> DotnetAsync(string directory, string arguments, bool isolated = true)
    {
        var info = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        if (isolated)
        {
            info.Environment["DOTNET_CLI_HOME"] = _dir.Combine("home");
            info.Environment["NUGET_PACKAGES"] = _dir.Combine("packages");
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // no build nodes left running after the test
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var text = await output + await errors;
        Assert.True(process.ExitCode == 0, $"dotnet {arguments}\n{text}");
        return text;
    }

    public void Dispose() => _dir.Dispose();
}
