using System.Reflection;
using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.Host.Plugins;

/// <summary>Loads a plugin's entry assembly into its own context and creates its <see cref="IPlugin"/>.</summary>
public static class PluginLoader
{
    /// <param name="typesFile">Where the plugin's <see cref="PluginTypes"/> are kept between starts.</param>
    public static void Load(PluginEntry entry, string typesFile)
    {
        var manifest = entry.Manifest!;
        var path = Path.Combine(entry.Folder, manifest.EntryAssembly);
        if (!File.Exists(path))
        {
            entry.Fail($"entry assembly '{manifest.EntryAssembly}' not found in {entry.Folder}");
            return;
        }

        try
        {
            var context = new PluginLoadContext(path, entry.Id);
            var assembly = context.LoadFromAssemblyPath(path);
            if (OtherSdk(assembly) is { } reason)
            {
                entry.MarkIncompatible(reason);
                return;
            }
            foreach (var reference in assembly.GetReferencedAssemblies())
                LoadDependency(context, reference);
            entry.Warnings.AddRange(SharedCopies(entry.Folder, manifest.EntryAssembly));

            var types = PluginTypes.Of(assembly, typesFile);
            if (types.Plugins.Count != 1)
            {
                entry.Fail($"'{manifest.EntryAssembly}' must hold exactly one public IPlugin class; found {types.Plugins.Count}");
                return;
            }
            entry.Assembly = assembly;
            entry.Modules = types.Modules;
            entry.Instance = (IPlugin)Activator.CreateInstance(types.Plugins[0])!;
            entry.Advance(PluginState.Loaded);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            entry.Fail($"load failed: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// Assemblies in the plugin's folder that the host provides and shares at that version: the plugin's copy is
    /// never loaded (the host's is, so that types unify), which its author may not expect. Only files named like
    /// a host assembly are opened.
    /// </summary>
    private static IEnumerable<string> SharedCopies(string folder, string entryAssembly) =>
        Directory.EnumerateFiles(folder, "*.dll")
            .Where(path => Path.GetFileName(path) != entryAssembly && HostAssemblies.Ships(Path.GetFileNameWithoutExtension(path)))
            .Select(path => (File: Path.GetFileName(path), Name: TryReadName(path)))
            .Where(copy => copy.Name is not null && HostAssemblies.ShouldShare(copy.Name))
            .Select(copy => $"carries its own copy of {copy.File} ({copy.Name!.Version}), which the host provides: the host's copy "
                + $"({HostAssemblies.VersionOf(copy.Name.Name!)}) is loaded instead; reference it without copying it (Private=false / ExcludeAssets=runtime)");

    private static AssemblyName? TryReadName(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            return null; // a native library
        }
    }

    /// <summary>
    /// Why the SDK the assembly was compiled against is not this host's, whatever its manifest claims: a newer one
    /// (its calls may not exist here), or another major version (its calls were changed or removed). Null when it fits.
    /// </summary>
    private static string? OtherSdk(Assembly assembly)
    {
        var built = assembly.GetReferencedAssemblies().FirstOrDefault(r => r.Name == HostAssemblies.SdkAssemblyName)?.Version;
        if (built is null) return null;
        var sdk = new Version(built.Major, built.Minor, Math.Max(built.Build, 0));
        var host = SdkInfo.Version.ToString(3);
        if (sdk > SdkInfo.Version)
            return $"built against SDK {sdk.ToString(3)}; it needs a host with SDK {sdk.Major}.{sdk.Minor} or later, and this host provides SDK {host}";
        if (sdk.Major != SdkInfo.Version.Major)
            return $"built against SDK {sdk.ToString(3)}; it needs SDK {sdk.Major}.x, and this host provides SDK {host}: rebuild it against Edgeplane.Abstractions {SdkInfo.Version.Major}.x";
        return null;
    }

    private static void LoadDependency(PluginLoadContext context, AssemblyName reference)
    {
        try
        {
            context.LoadFromAssemblyName(reference);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new InvalidOperationException($"dependency '{reference.Name}' {reference.Version} could not be loaded ({e.GetType().Name})", e);
        }
    }

    internal static string Describe(Exception e) => e switch
    {
        ReflectionTypeLoadException r when r.LoaderExceptions.FirstOrDefault(x => x is not null) is { } inner => Describe(inner),
        TargetInvocationException { InnerException: { } inner } => Describe(inner),
        _ => e.Message,
    };
}
