using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Composition;

/// <summary>
/// <c>Edgeplane.Host check-plugin &lt;folder&gt;</c>: takes one plugin folder through every startup step the host
/// would — manifest, SDK range, dependencies, registration, its migrations (on a throwaway SQLite database) and every
/// route built — without serving, with the operator's configuration, and prints what it found. Exit code 0 when the
/// plugin would serve, 1 when it would not, 2 for a folder that does not exist.
/// </summary>
public static class PluginCheck
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !Directory.Exists(args[0]))
        {
            await Console.Error.WriteLineAsync("usage: Edgeplane.Host check-plugin <plugin folder> [host options]");
            return 2;
        }
        var folder = Path.GetFullPath(args[0]).TrimEnd(Path.DirectorySeparatorChar);
        var scratch = Directory.CreateTempSubdirectory("edgeplane-check-");
        try
        {
            // The folder is the only one in a plugin directory of its own; nothing of the operator's data is touched.
            var plugins = Directory.CreateDirectory(Path.Combine(scratch.FullName, "plugins")).FullName;
            Directory.CreateSymbolicLink(Path.Combine(plugins, Path.GetFileName(folder)), folder);
            var data = Path.Combine(scratch.FullName, "data");
            await using var app = await EdgeplaneApplication.BuildAsync([
                .. args[1..],
                $"--Edgeplane:Plugins:Directories={plugins}",
                $"--Edgeplane:DataDirectory={data}",
                "--Edgeplane:Database:Provider=sqlite",
                $"--Edgeplane:Database:ConnectionString=Data Source={Path.Combine(data, "check.db")}",
            ], bootstrap: false);
            return Report(folder, app.Services.GetRequiredService<PluginCatalog>());
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static int Report(string folder, PluginCatalog catalog)
    {
        if (catalog.Plugins.Count == 0)
        {
            Console.WriteLine($"{folder}: not a plugin (no {PluginManifest.FileName})");
            return 1;
        }
        var plugin = catalog.Plugins[0];
        Console.WriteLine(plugin.IsLive
            ? $"{plugin.Id} {plugin.Version}: ok (manifest, SDK, dependencies, registration, migrations, routes) at {string.Join(", ", plugin.Mounts)}"
            : $"{plugin.Id} {plugin.Version}: {plugin.State.ToString().ToLowerInvariant()}: {plugin.Reason}");
        foreach (var warning in plugin.Warnings) Console.WriteLine($"warning: {plugin.Id} {warning}");
        return plugin.IsLive ? 0 : 1;
    }
}
