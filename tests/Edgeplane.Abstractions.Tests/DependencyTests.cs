using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.Abstractions.Tests;

/// <summary>The SDK forces nothing on a plugin but the framework: Autofac, Scrutor and Dapper are the plugin's own choice.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void The_sdk_references_only_the_framework()
    {
        var references = typeof(IPlugin).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(
            name is "netstandard" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal),
            $"the SDK references {name}"));
    }

    [Fact]
    public void The_sdk_project_has_no_package_dependency_a_plugin_would_inherit()
    {
        var project = System.Xml.Linq.XDocument.Load(Path.Combine(RepoRoot(), "src", "Abstractions", "Edgeplane.Abstractions.csproj"));
        var inherited = project.Descendants("PackageReference")
            .Where(p => (string?)p.Attribute("PrivateAssets") != "all")
            .Select(p => (string)p.Attribute("Include")!);
        Assert.Empty(inherited);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Host.sln not found above " + AppContext.BaseDirectory);
    }
}
