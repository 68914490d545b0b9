using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Acme.Bookmarks.Tests;

/// <summary>The sample's own behaviour, through the real host.</summary>
public sealed class BookmarksApiTests(BookmarksHost host) : IClassFixture<BookmarksHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_bookmark_is_added_with_safe_markdown_and_its_location_reads_it()
    {
        using var operatorKey = host.Host.ClientWithKey(await host.KeyForRoleAsync("operator"));

        using var created = await operatorKey.PostAsJsonAsync("/bookmarks/api/bookmarks/", new { url = "https://example.org/", title = "Example", notes = "**bold** <script>x</script>" }, Ct);
        using var located = await operatorKey.GetAsync(new Uri(created.RequestMessage!.RequestUri!, created.Headers.Location!), Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, located.StatusCode);
        var bookmark = (await located.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Contains("<strong>bold</strong>", (string)bookmark["notesHtml"]!);
        Assert.DoesNotContain("<script>", (string)bookmark["notesHtml"]!);
    }

    [Fact]
    public async Task A_bad_bookmark_is_a_400_naming_each_field_and_a_viewer_cannot_add()
    {
        using var operatorKey = host.Host.ClientWithKey(await host.KeyForRoleAsync("operator"));
        using var viewerKey = host.Host.ClientWithKey(await host.KeyForRoleAsync("viewer"));

        using var invalid = await operatorKey.PostAsJsonAsync("/bookmarks/api/bookmarks/", new { url = "ftp:/nope", title = "" }, Ct);
        using var refused = await viewerKey.PostAsJsonAsync("/bookmarks/api/bookmarks/", new { url = "https://example.org/", title = "x" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("url") && errors.ContainsKey("title"), errors.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("bookmarks.write", await refused.Content.ReadAsStringAsync(Ct));
    }
}
