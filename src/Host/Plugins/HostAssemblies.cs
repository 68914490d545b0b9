using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Edgeplane.Host.Plugins;

/// <summary>The assemblies the host ships (its trusted platform assemblies) and which of them a plugin shares.</summary>
public static class HostAssemblies
{
    // Read only after it is built. Not a FrozenSet: building the first one loads ~30 types (its variants) on every start.
    private static readonly HashSet<string> Names =
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    // Plugins load in parallel: each version is looked up once, and looking one up blocks no other.
    private static readonly ConcurrentDictionary<string, Lazy<Version?>> Versions = new(StringComparer.OrdinalIgnoreCase);

    public const string SdkAssemblyName = "Edgeplane.Abstractions";

    /// <summary>Whether the host ships an assembly of this simple name.</summary>
    public static bool Ships(string simpleName) => Names.Contains(simpleName);

    /// <summary>
    /// The host's copy is used when the host has the assembly at the requested version or newer.
    /// The SDK is always shared; a plugin built against a newer SDK or another major version is refused before its types load.
    /// When a plugin asks for a newer version than the host ships, its private copy keeps it working.
    /// </summary>
    public static bool ShouldShare(AssemblyName name)
    {
        if (name.Name is null || !Names.Contains(name.Name)) return false;
        if (name.Name == SdkAssemblyName || name.Version is null) return true;
        var hostVersion = VersionOf(name.Name);
        return hostVersion is null || hostVersion >= name.Version;
    }

    /// <summary>
    /// The version of the host's copy, read from the copy the host loads: a shared assembly is loaded into the
    /// host's context anyway (reading the file's header instead loaded the metadata reader and mapped every
    /// file once more: ~40 ms of every start).
    /// </summary>
    public static Version? VersionOf(string simpleName) =>
        Versions.GetOrAdd(simpleName, name => new Lazy<Version?>(() => Names.Contains(name) ? LoadedVersion(name) : null)).Value;

    private static Version? LoadedVersion(string simpleName)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName)).GetName().Version;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
