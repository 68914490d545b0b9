using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing.Conformance;

namespace Acme.Bookmarks.Tests;

/// <summary>The Edgeplane host serving only the sample's build output, on a temporary SQLite database.</summary>
public sealed class BookmarksHost : ConformanceHost;

/// <summary>What Edgeplane holds every plugin to (the test kit's conformance tests).</summary>
public sealed class BookmarksConformanceTests(BookmarksHost host) : PluginConformance<BookmarksHost>(host)
{
    protected override async Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team)
    {
        using var added = await team.Key.PostAsJsonAsync("/bookmarks/api/bookmarks/", new { url = "https://example.org/doomed", title = "Doomed" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return [(string)(await added.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["id"]!];
    }
}
