using Microsoft.Extensions.Configuration;

namespace Edgeplane.Host.Composition;

/// <summary>The host's own settings under <c>Edgeplane:</c>; relative paths resolve against the content root.</summary>
public sealed record EdgeplaneOptions(string DataDirectory, IReadOnlyList<string> PluginDirectories)
{
    public static EdgeplaneOptions From(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection("Edgeplane");
        var data = Path.GetFullPath(section["DataDirectory"] ?? ".data", contentRoot);
        var directories = ReadList(section.GetSection("Plugins:Directories"));
        if (directories.Count == 0) directories = [Path.Combine(AppContext.BaseDirectory, "plugins")];
        return new EdgeplaneOptions(data, directories.Select(d => Path.GetFullPath(d, contentRoot)).ToList());
    }

    /// <summary>A list given either as indexed children or as one value separated by ';'.</summary>
    private static List<string> ReadList(IConfigurationSection section) =>
        section.Value is { Length: > 0 } single
            ? single.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
}
