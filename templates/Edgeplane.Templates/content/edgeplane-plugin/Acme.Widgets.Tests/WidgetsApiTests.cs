using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Acme.Widgets.Tests;

/// <summary>The plugin's own behaviour, through the real host.</summary>
public sealed class WidgetsApiTests(WidgetsHost host) : IClassFixture<WidgetsHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_operator_adds_a_widget_that_its_location_and_the_list_show()
    {
        using var operatorKey = host.Host.ClientWithKey(await host.KeyForRoleAsync("operator"));

        using var created = await operatorKey.PostAsJsonAsync("/widgets/api/widgets/", new { name = "sprocket", quantity = 3 }, Ct);
        using var located = await operatorKey.GetAsync(created.Headers.Location, Ct);
        var list = await operatorKey.GetFromJsonAsync<JsonObject>("/widgets/api/widgets/", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, located.StatusCode);
        var widget = (await located.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal("sprocket", (string)widget["name"]!);
        Assert.Contains(list!["items"]!.AsArray(), w => (string)w!["id"]! == (string)widget["id"]!);
    }

    [Fact]
    public async Task A_bad_widget_is_a_400_naming_each_field_and_a_viewer_cannot_add()
    {
        using var operatorKey = host.Host.ClientWithKey(await host.KeyForRoleAsync("operator"));
        using var viewerKey = host.Host.ClientWithKey(await host.KeyForRoleAsync("viewer"));

        using var invalid = await operatorKey.PostAsJsonAsync("/widgets/api/widgets/", new { name = "", quantity = -1 }, Ct);
        using var refused = await viewerKey.PostAsJsonAsync("/widgets/api/widgets/", new { name = "x", quantity = 1 }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("name") && errors.ContainsKey("quantity"), errors.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("widgets.write", await refused.Content.ReadAsStringAsync(Ct));
    }
}
