using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

/// <summary>A change applied to a zone's records in wire form gives what a read of the changed zone gives, byte for byte.</summary>
public sealed class ZoneDeltaTests
{
    private static DnsRecord A(int index, string name, string value, int ttl = 300) => new() { Index = index, Name = name, Type = "A", Ttl = ttl, Value = value };

    private static readonly DnsRecord[] Zone =
    [
        A(1, "www", "192.0.2.1"), A(2, "www", "192.0.2.2"),
        new() { Index = 3, Name = "@", Type = "MX", Ttl = 300, Value = "mail.example.com", Priority = 10 },
        new() { Index = 4, Name = "txt", Type = "TXT", Ttl = 60, Value = "hello world" },
        A(5, "mail", "192.0.2.5"),
    ];

    [Fact]
    public void Removes_and_adds_as_a_read_of_the_changed_zone_in_index_order()
    {
        var removed = new[] { Zone[1], Zone[3] };
        var added = new[] { A(6, "new", "192.0.2.6"), A(7, "www", "192.0.2.7") };
        var delta = ZoneDelta.Of("example.com", 1, 2, removed, added);

        var applied = delta.ApplyTo(WireRecords.Of("example.com", Zone));

        Assert.Equal(WireRecords.Of("example.com", Zone.Except(removed).Concat(added)), applied);
    }

    [Fact]
    public void Is_refused_when_a_removed_record_is_not_in_the_zone()
    {
        var delta = ZoneDelta.Of("example.com", 1, 2, [A(1, "www", "192.0.2.99")], []);

        Assert.Null(delta.ApplyTo(WireRecords.Of("example.com", Zone)));
    }

    [Fact]
    public void Removes_one_copy_of_a_record_per_removal()
    {
        var twice = WireRecords.Of("example.com", [Zone[0], Zone[0] with { Index = 9 }]);
        var delta = ZoneDelta.Of("example.com", 1, 2, [Zone[0]], []);

        Assert.Equal(WireRecords.Of("example.com", [Zone[0]]), delta.ApplyTo(twice));
        Assert.Empty(ZoneDelta.Of("example.com", 2, 3, [Zone[0], Zone[0]], []).ApplyTo(twice)!);
    }
}
