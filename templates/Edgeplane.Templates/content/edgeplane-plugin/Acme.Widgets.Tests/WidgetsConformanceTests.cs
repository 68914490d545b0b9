using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing.Conformance;

namespace Acme.Widgets.Tests;

/// <summary>The Edgeplane host serving only this plugin's build output, on a temporary SQLite database.</summary>
public sealed class WidgetsHost : ConformanceHost;

/// <summary>
/// What Edgeplane holds every plugin to: each route answers each credential as its permission says, hostile input never
/// gets a 5xx, the API document describes every route, a deleted team's widgets go with it, a changed migration is
/// refused, and a plugin that fails beside this one leaves the host serving.
/// </summary>
public sealed class WidgetsConformanceTests(WidgetsHost host) : PluginConformance<WidgetsHost>(host)
{
    protected override async Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team)
    {
        using var created = await team.Key.PostAsJsonAsync("/widgets/api/widgets/", new { name = "doomed", quantity = 1 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return [(string)(await created.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["id"]!];
    }
}
