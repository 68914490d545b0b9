using System.Reflection;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Routing;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A plugin assembly's public, non-abstract classes that implement <see cref="IPlugin"/> and <see cref="ICarterModule"/>.
/// Finding them loads every public type of the assembly (<see cref="Assembly.GetExportedTypes"/>: a plugin's records,
/// rows and options with their interfaces, ~300 type loads over the five first-party plugins, bench/host/README.md),
/// so the names found are kept in a file of the host's data directory with the assembly's build id
/// (<see cref="Module.ModuleVersionId"/>, new whenever its code changes), and a restart loads only those types. A file
/// that is missing, of another build or naming a type that does not fit is ignored: the assembly is scanned again.
/// </summary>
public sealed record PluginTypes(IReadOnlyList<Type> Plugins, IReadOnlyList<Type> Modules)
{
    private const string PluginLine = "plugin ", ModuleLine = "module ";

    /// <param name="file">Where the names are kept between starts (<c>{data}/.plugin-types/{id}</c>: not a plugin id, so never a plugin's own folder).</param>
    public static PluginTypes Of(Assembly assembly, string file)
    {
        var build = assembly.ManifestModule.ModuleVersionId.ToString();
        if (Read(assembly, file, build) is { } known) return known;
        var exported = assembly.GetExportedTypes();
        var found = new PluginTypes(Implementing(exported, typeof(IPlugin)), Implementing(exported, typeof(ICarterModule)));
        Write(file, build, found);
        return found;
    }

    private static List<Type> Implementing(IEnumerable<Type> types, Type contract) => types.Where(t => Fits(t, contract)).ToList();

    private static bool Fits(Type type, Type contract) => contract.IsAssignableFrom(type) && type is { IsAbstract: false, IsInterface: false };

    private static PluginTypes? Read(Assembly assembly, string file, string build)
    {
        try
        {
            var lines = File.ReadAllLines(file);
            if (lines.Length == 0 || lines[0] != build) return null;
            var (plugins, modules) = (new List<Type>(), new List<Type>());
            foreach (var line in lines.Skip(1))
            {
                var (list, contract) = line.StartsWith(PluginLine, StringComparison.Ordinal) ? (plugins, typeof(IPlugin))
                    : line.StartsWith(ModuleLine, StringComparison.Ordinal) ? (modules, typeof(ICarterModule))
                    : default;
                if (list is null || assembly.GetType(line[(line.IndexOf(' ') + 1)..]) is not { IsVisible: true } type || !Fits(type, contract))
                    return null;
                list.Add(type);
            }
            return new PluginTypes(plugins, modules);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static void Write(string file, string build, PluginTypes types)
    {
        var lines = types.Plugins.Select(t => PluginLine + t.FullName).Concat(types.Modules.Select(t => ModuleLine + t.FullName)).Prepend(build);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var written = $"{file}.{Environment.ProcessId}";
            File.WriteAllLines(written, lines);
            File.Move(written, file, overwrite: true); // whole or not at all, for another host starting on the same directory
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a read-only data directory: every start scans
        }
    }
}
