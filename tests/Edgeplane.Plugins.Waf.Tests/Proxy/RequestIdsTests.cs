using Edgeplane.Abstractions.Data;
using Edgeplane.Plugins.Waf.Proxy;

namespace Edgeplane.Plugins.Waf.Tests.Proxy;

/// <summary>Request ids have the shape of the SDK's ids: valid for <see cref="Ids.IsValid"/>, ordered by time, distinct.</summary>
public sealed class RequestIdsTests
{
    [Fact]
    public void Request_ids_have_the_shape_of_ids_sort_by_time_and_differ()
    {
        var earlier = RequestIds.New(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), Random.Shared);
        var later = RequestIds.New(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001), Random.Shared);
        Assert.True(Ids.IsValid(earlier));
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        // the first 9 characters come from the milliseconds alone, as in an Ids.New() id
        Assert.Equal(Ids.New(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000))[..9], earlier[..9]);
        var many = Enumerable.Range(0, 10_000).Select(_ => RequestIds.New()).ToHashSet();
        Assert.Equal(10_000, many.Count);
        Assert.All(many, id => Assert.True(Ids.IsValid(id)));
    }
}
