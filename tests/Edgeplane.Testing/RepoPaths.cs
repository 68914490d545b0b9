using System.Reflection;

namespace Edgeplane.Testing;

/// <summary>
/// Where the built host and the test plugins are. Inside this repository: its build output, for the configuration the
/// tests were built in. From the Edgeplane.Testing package: the host it carries (the package writes its folder into the
/// test assembly as <c>EdgeplaneHostDirectory</c>).
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string HostDirectory => ConfiguredPath("EdgeplaneHostDirectory") ?? Path.Combine(Root, "src", "Host", "bin", Configuration, "net10.0");

    public static string HostAssembly => Path.Combine(HostDirectory, "Edgeplane.Host.dll");

    public static string TestPlugin(string name) => Path.Combine(Root, "tests", "TestPlugins", "bin", Configuration, name);

    /// <summary>A path the test project wrote into its assembly (<c>&lt;AssemblyMetadata Include="key" Value="…" /&gt;</c>), or null.</summary>
    public static string? ConfiguredPath(string key) =>
        new[] { Assembly.GetEntryAssembly() }.Concat(AppDomain.CurrentDomain.GetAssemblies())
            .SelectMany(a => a?.GetCustomAttributes<AssemblyMetadataAttribute>() ?? [])
            .FirstOrDefault(a => a.Key == key && a.Value is { Length: > 0 })?.Value is { } value
            ? Path.GetFullPath(value)
            : null;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln"))) return dir.FullName;
        throw new InvalidOperationException("Host.sln not found above " + AppContext.BaseDirectory);
    }
}
