using System.Reflection;

namespace Edgeplane.Testing;

/// <summary>Where the built host and the test plugins are, for the configuration the tests were built in.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string HostDirectory => Path.Combine(Root, "src", "Host", "bin", Configuration, "net10.0");

    public static string HostAssembly => Path.Combine(HostDirectory, "Edgeplane.Host.dll");

    public static string TestPlugin(string name) => Path.Combine(Root, "tests", "TestPlugins", "bin", Configuration, name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln"))) return dir.FullName;
        throw new InvalidOperationException("Host.sln not found above " + AppContext.BaseDirectory);
    }
}
