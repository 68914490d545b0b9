using System.Text.Json.Nodes;
using Edgeplane.Host.Composition;
using Edgeplane.Testing;
using Edgeplane.Testing.Architecture;

namespace Edgeplane.Host.Tests.Architecture;

/// <summary>
/// Dependencies between the namespaces of the host and of every first-party plugin point one way: no group of
/// namespaces uses each other (read from the compiled assemblies, so nothing escapes: lambdas, generics, attributes).
/// </summary>
public sealed class NamespaceCycleTests
{
    /// <summary>
    /// Assemblies whose loops other work is untangling today: their test is skipped, naming the loops, while they
    /// have any. Remove a line when its work is done.
    /// </summary>
    private static readonly Dictionary<string, string> BeingUntangled = new()
    {
        ["Edgeplane.Plugins.Waf"] = "the WAF plugin is being reworked in parallel (issue 22: Data ↔ Engine, the SecLang engine)",
    };

    public static TheoryData<string> Assemblies()
    {
        var data = new TheoryData<string> { "Edgeplane.Host" };
        foreach (var folder in Directory.EnumerateDirectories(HostProcess.DefaultPluginDirectory).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(folder));
        return data;
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void An_assembly_has_no_namespace_loops(string assembly)
    {
        var (path, root) = assembly == "Edgeplane.Host"
            ? (typeof(EdgeplaneApplication).Assembly.Location, "Edgeplane.Host")
            : EntryAssembly(Path.Combine(HostProcess.DefaultPluginDirectory, assembly));
        var graph = NamespaceGraph.Read(path, root);

        var loops = graph.Cycles().Select(cycle => $"{string.Join(" ↔ ", cycle)}\n{graph.Explain(cycle)}").ToList();

        Assert.NotEmpty(graph.Edges); // the assembly was read
        if (loops.Count > 0 && BeingUntangled.TryGetValue(root, out var reason))
            Assert.Skip($"known namespace loops in {root}, {reason}:\n{string.Join("\n", loops)}");
        Assert.True(loops.Count == 0, $"namespace loops in {root}:\n{string.Join("\n", loops)}");
    }

    private static (string Path, string Root) EntryAssembly(string pluginFolder)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(pluginFolder, "plugin.json")))!;
        var entry = (string)manifest["entryAssembly"]!;
        return (Path.Combine(pluginFolder, entry), Path.GetFileNameWithoutExtension(entry));
    }
}
