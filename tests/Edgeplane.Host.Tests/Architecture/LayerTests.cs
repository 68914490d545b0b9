using System.Text.Json.Nodes;
using Edgeplane.Testing;
using Edgeplane.Testing.Architecture;

namespace Edgeplane.Host.Tests.Architecture;

/// <summary>
/// Every first-party plugin is laid out the same way and its layers point one way (DESIGN's plugin shape):
/// <c>Api</c> → <c>Domain</c> → <c>Data</c>, with <c>Jobs</c> beside <c>Api</c>. <c>Data</c> knows neither the rules
/// nor the routes, <c>Domain</c> knows no route and no job, and a job calls no route. SQL is written only in
/// <c>Data</c>, and HTTP is spoken only in <c>Api</c> and <c>Jobs</c>.
/// </summary>
public sealed class LayerTests
{
    private static readonly (string From, string[] MustNotUse)[] Rules =
    [
        ("Data", ["Domain", "Api", "Jobs"]),
        ("Domain", ["Api", "Jobs"]),
        ("Jobs", ["Api"]),
    ];

    private static readonly (string Layer, string[] MustNotUse)[] OutsideRules =
    [
        ("Api", ["Dapper", "System.Data.Common"]),
        ("Jobs", ["Dapper", "System.Data.Common"]),
        ("Domain", ["Dapper", "System.Data.Common", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Builder"]),
        ("Data", ["Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Builder"]),
    ];

    public static TheoryData<string> Plugins()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(HostProcess.DefaultPluginDirectory).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(folder));
        return data;
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public void A_plugins_layers_point_one_way(string plugin)
    {
        var (graph, root) = Read(plugin);

        var backwards = (from edge in graph.Edges
                         from use in edge.Value
                         let user = Layer(root, edge.Key)
                         let used = Layer(root, use.Key)
                         where Rules.Any(rule => rule.From == user && rule.MustNotUse.Contains(used))
                         select (Edge: $"{edge.Key} → {use.Key}", Example: use.Value)).ToList();
        var known = KnownGaps().Where(gap => gap.StartsWith(root + ".", StringComparison.Ordinal) && gap.Contains(" → ")).ToList();

        Assert.NotEmpty(graph.Edges);
        var wrong = backwards.Where(b => !known.Contains(b.Edge)).Select(b => $"{b.Edge}: {b.Example}").Order(StringComparer.Ordinal).ToList();
        Assert.True(wrong.Count == 0, $"{root}'s layers point back:\n{string.Join("\n", wrong)}");
        var closed = known.Where(gap => !backwards.Any(b => b.Edge == gap)).ToList();
        Assert.True(closed.Count == 0, $"no longer used, take off layer-gaps.txt:\n{string.Join("\n", closed)}");
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public void SQL_stays_in_Data_and_HTTP_in_Api(string plugin)
    {
        var (graph, root) = Read(plugin);

        var misplaced = (from uses in graph.OutsideUses
                         let layer = Layer(root, uses.Key)
                         from rule in OutsideRules
                         where rule.Layer == layer
                         from use in uses.Value
                         where rule.MustNotUse.Contains(use.Key)
                         select (Edge: $"{uses.Key} uses {use.Key}", Example: use.Value)).ToList();
        var known = KnownGaps().Where(gap => gap.StartsWith(root + ".", StringComparison.Ordinal) && gap.Contains(" uses ")).ToList();

        Assert.NotEmpty(graph.OutsideUses);
        var wrong = misplaced.Where(m => !known.Contains(m.Edge)).Select(m => $"{m.Edge}: {m.Example}").Order(StringComparer.Ordinal).ToList();
        Assert.True(wrong.Count == 0, $"{root}:\n{string.Join("\n", wrong)}");
        var closed = known.Where(gap => !misplaced.Any(m => m.Edge == gap)).ToList();
        Assert.True(closed.Count == 0, $"no longer used, take off layer-gaps.txt:\n{string.Join("\n", closed)}");
    }

    /// <summary>Uses known to break these rules, each with its reason (<c>layer-gaps.txt</c>); the list may only shrink.</summary>
    private static IReadOnlyList<string> KnownGaps() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Architecture", "layer-gaps.txt"))
            .Select(line => line.Split('#')[0].Trim()).Where(line => line.Length > 0).ToList();

    private static (NamespaceGraph Graph, string Root) Read(string plugin)
    {
        var folder = Path.Combine(HostProcess.DefaultPluginDirectory, plugin);
        var entry = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "plugin.json")))!["entryAssembly"]!;
        var root = Path.GetFileNameWithoutExtension(entry);
        return (NamespaceGraph.Read(Path.Combine(folder, entry), root), root);
    }

    private static string? Layer(string root, string ns)
    {
        if (!ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }
}
