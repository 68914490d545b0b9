using Edgeplane.Host.Plugins;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Edgeplane.Host.Tests.Units;

public sealed class PluginEntryTests
{
    /// <summary>A plugin that has gone through every step up to <paramref name="state"/>.</summary>
    public static PluginEntry At(PluginState state, string id = "x")
    {
        var entry = new PluginEntry($"/plugins/{id}", id);
        for (var next = PluginState.Loaded; next <= state; next++)
            entry.Advance(next);
        return entry;
    }

    [Fact]
    public void A_plugin_moves_through_its_steps_in_order_and_none_is_skipped()
    {
        var entry = At(PluginState.Registered);

        Assert.Throws<InvalidOperationException>(() => entry.Advance(PluginState.Mapped));
        entry.Advance(PluginState.Migrated);
        entry.Advance(PluginState.Mapped);
        Assert.Throws<InvalidOperationException>(() => entry.Advance(PluginState.Loaded));
        Assert.Equal(PluginState.Mapped, entry.State);
        Assert.True(entry.IsLive);
    }

    [Fact]
    public void A_plugin_that_left_the_line_stays_out_with_its_first_reason()
    {
        var entry = At(PluginState.Migrated);

        entry.Fail("migration 0002 failed");
        entry.Advance(PluginState.Mapped);
        entry.MarkIncompatible("later news");

        Assert.Equal(PluginState.Failed, entry.State);
        Assert.Equal("migration 0002 failed", entry.Reason);
        Assert.False(entry.IsLive);
    }

    [Fact]
    public void A_failed_plugin_withdraws_its_endpoints_and_tells_routing_at_any_time()
    {
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/x/ping"), 0, EndpointMetadataCollection.Empty, "ping");
        var source = new ServedEndpointDataSource(new DefaultEndpointDataSource(endpoint));
        var entry = At(PluginState.Migrated);
        entry.Map([source]);
        var served = source.Endpoints.Count;
        var token = source.GetChangeToken();
        var changed = false;
        using var registration = token.RegisterChangeCallback(_ => changed = true, null);

        entry.Fail("background service Worker failed: lost");

        Assert.Equal(1, served);
        Assert.Empty(source.Endpoints);
        Assert.True(changed);
        Assert.False(source.GetChangeToken().HasChanged); // a fresh token, or routing would listen in a loop
    }

    [Fact]
    public void The_catalog_answers_503_for_every_mount_of_a_plugin_that_is_out_and_nothing_for_one_that_serves()
    {
        var serving = At(PluginState.Mapped, "good");
        serving.Mounts = [PluginMount.Parse(null, "good")];
        var failed = At(PluginState.Registered, "bad");
        failed.Mounts = [PluginMount.Parse(null, "bad"), PluginMount.Parse(":9999", "bad") with { Paths = ["/metrics"] }];
        var source = new UnavailablePluginEndpoints(new PluginCatalog([serving, failed]));
        var before = source.Endpoints.Count;
        var token = source.GetChangeToken();

        failed.Fail("registration failed");

        Assert.Equal(0, before);
        Assert.True(token.HasChanged);
        Assert.Equal(["/bad/{**path}", "/metrics/{**path}"], source.Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText));
        Assert.Equal(["*:9999"], source.Endpoints[1].Metadata.GetMetadata<IHostMetadata>()!.Hosts);
    }
}
