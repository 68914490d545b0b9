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
        Assert.True(loops.Count == 0, $"namespace loops in {root}:\n{string.Join("\n", loops)}");
    }

    private static (string Path, string Root) EntryAssembly(string pluginFolder)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(pluginFolder, "plugin.json")))!;
        var entry = (string)manifest["entryAssembly"]!;
        return (Path.Combine(pluginFolder, entry), Path.GetFileNameWithoutExtension(entry));
    }
}
