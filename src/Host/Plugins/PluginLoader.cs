using System.Reflection;
using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.Host.Plugins;

/// <summary>Loads a plugin's entry assembly into its own context and creates its <see cref="IPlugin"/>.</summary>
public static class PluginLoader
{
    public static void Load(PluginEntry entry)
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
            if (BuiltAgainstNewerSdk(assembly) is { } sdk)
            {
                entry.MarkIncompatible($"built against SDK {sdk.ToString(3)}; this host provides SDK {SdkInfo.Version.ToString(3)}");
                return;
            }
            foreach (var reference in assembly.GetReferencedAssemblies())
                LoadDependency(context, reference);
            entry.Warnings.AddRange(SharedCopies(entry.Folder, manifest.EntryAssembly));

            var pluginTypes = assembly.GetExportedTypes()
                .Where(t => typeof(IPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (pluginTypes.Count != 1)
            {
                entry.Fail($"'{manifest.EntryAssembly}' must hold exactly one public IPlugin class; found {pluginTypes.Count}");
                return;
            }
            entry.Assembly = assembly;
            entry.Instance = (IPlugin)Activator.CreateInstance(pluginTypes[0])!;
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

    private static Version? BuiltAgainstNewerSdk(Assembly assembly) =>
        assembly.GetReferencedAssemblies()
            .Where(r => r.Name == HostAssemblies.SdkAssemblyName && r.Version is not null)
            .Select(r => r.Version!)
            .FirstOrDefault(v => new Version(v.Major, v.Minor, v.Build) > SdkInfo.Version);

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
