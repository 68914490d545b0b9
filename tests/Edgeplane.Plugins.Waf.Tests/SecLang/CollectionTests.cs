using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.Tests.SecLang;

/// <summary>A collection's members are the same whether a rule reaches them by their slot or by their name.</summary>
public sealed class CollectionTests
{
    [Fact]
    public void A_member_written_by_slot_is_found_by_name_in_any_case_and_the_other_way_round()
    {
        var slots = new MemberSlots();
        var score = slots.Assign("anomaly_score");
        var tx = new Collection(slots);

        tx.Set(score, "anomaly_score", "5");
        tx.Set("dynamic_name", "x");
        Assert.Equal("5", tx.Get("ANOMALY_SCORE"));
        Assert.Equal("5", tx.Get(-1, "Anomaly_Score"));

        tx.Set("Anomaly_Score", "7");
        Assert.Equal("7", tx.Get(score, "anomaly_score"));
        Assert.Equal((0, 1), tx.Find(score, "anomaly_score"));
        Assert.Equal("x", tx.Get(slots.Of("dynamic_name"), "dynamic_name"));
        Assert.Equal(2, tx.Count);
    }

    [Fact]
    public void Members_of_a_slotted_name_keep_their_order_through_remove_and_clear()
    {
        var slots = new MemberSlots();
        var host = slots.Assign("Host");
        var headers = new Collection(slots);
        headers.Add("a", "1");
        headers.Add("host", "h1");
        headers.Add(host, "HOST", "h2");

        Assert.Equal((1, 2), headers.Find(host, "Host"));
        headers.Remove("A");
        Assert.Equal((0, 2), headers.Find(host, "Host"));
        Assert.Equal("h1", headers.Get("host"));

        headers.Clear();
        Assert.Equal((-1, 0), headers.Find(host, "Host"));
        Assert.Null(headers.Get("a"));
        headers.Add("b", "2");
        Assert.Equal((-1, 0), headers.Find(host, "Host"));
        Assert.Equal("2", headers.Get("B"));
    }
}
