using System.Reflection;
using Edgeplane.Host.Plugins;
using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>The plugin class and route modules of a real plugin assembly, scanned at the first start and read back at a restart.</summary>
public sealed class PluginTypesTests : IDisposable
{
    private const string Namespace = "Edgeplane.TestPlugins.Greeter";
    private static readonly Assembly Greeter = new PluginLoadContext(Path.Combine(RepoPaths.TestPlugin("Greeter"), "Edgeplane.TestPlugins.Greeter.dll"), "greeter")
        .LoadFromAssemblyPath(Path.Combine(RepoPaths.TestPlugin("Greeter"), "Edgeplane.TestPlugins.Greeter.dll"));
    private static readonly string Build = Greeter.ManifestModule.ModuleVersionId.ToString();

    private readonly TempDirectory _dir = new();
    private string File => _dir.Combine(".plugin-types", "greeter");

    [Fact]
    public void The_first_start_scans_the_assembly_and_keeps_the_names_with_its_build()
    {
        var types = PluginTypes.Of(Greeter, File);

        Assert.Equal([$"{Namespace}.GreeterPlugin"], types.Plugins.Select(t => t.FullName));
        Assert.Equal([$"{Namespace}.GreeterModule", $"{Namespace}.GreetingsModule"], types.Modules.Select(t => t.FullName));
        Assert.Equal([Build, $"plugin {Namespace}.GreeterPlugin", $"module {Namespace}.GreeterModule", $"module {Namespace}.GreetingsModule"], System.IO.File.ReadAllLines(File));
    }

    [Fact]
    public void A_restart_of_the_same_build_loads_the_types_named_instead_of_scanning()
    {
        Keep(Build, $"plugin {Namespace}.GreeterPlugin", $"module {Namespace}.GreetingsModule");

        var types = PluginTypes.Of(Greeter, File);

        Assert.Equal([$"{Namespace}.GreeterPlugin"], types.Plugins.Select(t => t.FullName));
        Assert.Equal([$"{Namespace}.GreetingsModule"], types.Modules.Select(t => t.FullName));
    }

    [Theory]
    [InlineData("another build")]
    [InlineData("a type that is not a module")]
    [InlineData("a type that is not there")]
    [InlineData("a line of no kind")]
    public void Names_kept_for_another_build_or_that_do_not_fit_are_ignored_and_the_assembly_scanned_again(string kept)
    {
        string[] lines = kept switch
        {
            "another build" => [Guid.NewGuid().ToString(), $"plugin {Namespace}.GreeterPlugin"],
            "a type that is not a module" => [Build, $"plugin {Namespace}.GreeterPlugin", $"module {Namespace}.Salutation"],
            "a type that is not there" => [Build, $"plugin {Namespace}.GreeterPlugin", $"module {Namespace}.Gone"],
            _ => [Build, $"plugin {Namespace}.GreeterPlugin", $"{Namespace}.GreeterModule"],
        };
        Keep(lines);

        var types = PluginTypes.Of(Greeter, File);

        Assert.Equal([$"{Namespace}.GreeterModule", $"{Namespace}.GreetingsModule"], types.Modules.Select(t => t.FullName));
        Assert.Equal(4, System.IO.File.ReadAllLines(File).Length);
    }

    private void Keep(params string[] lines)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        System.IO.File.WriteAllLines(File, lines);
    }

    public void Dispose() => _dir.Dispose();
}
