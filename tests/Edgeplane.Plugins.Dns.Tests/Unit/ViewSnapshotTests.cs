using System.Security.Cryptography;
using Edgeplane.Plugins.Dns.Server;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

/// <summary>The persisted view's file on a real directory: what a restart reads back, and a file it must not use.</summary>
public sealed class ViewSnapshotTests
{
    private static readonly ZoneBuilder Builder = new(new DnsServerOptions { NameServers = ["ns1.example.net", "ns2.example.net"] });

    [Fact]
    public async Task Each_zone_comes_back_with_its_records_serial_journal_and_feed_position()
    {
        using var dir = new TempDirectory();
        var zone = TestZones.Snapshot("example.com", TestZones.Example);
        var journal = new[] { new ZoneDelta(6, 7, [], zone.Records()) };
        var saved = Builder.Snapshot("zone-id", "example.com", 7, 42, zone.Records(), journal);
        new ViewSnapshot(dir.Path, Builder.Snapshot).Write(new ViewSnapshot.Mark(40, 39, "other-zone"), [saved]);

        var loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();

        Assert.Null(loaded.Problem);
        Assert.Equal(new ViewSnapshot.Mark(40, 39, "other-zone"), loaded.Mark);
        var read = Assert.Single(loaded.Zones);
        Assert.Equal(("zone-id", "example.com", 7L, 42L), (read.Id, read.Name, read.Soa.Serial, read.Position));
        Assert.Equal(saved.Records(), read.Records());
        Assert.Equal((6L, 7L), (read.Journal.Single().OldSerial, read.Journal.Single().Serial));
    }

    [Fact]
    public async Task A_file_of_the_earlier_version_is_not_used()
    {
        using var dir = new TempDirectory();
        // Version 1 (no feed position per zone), checksummed like any snapshot: an empty view at position 5.
        var body = new MemoryStream();
        using (var writer = new BinaryWriter(body))
        {
            writer.Write(1);
            writer.Write(5L);
            writer.Write(false);
            writer.Write(0);
        }
        var content = body.ToArray();
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, "view.snapshot"), [.. SHA256.HashData(content), .. content]);

        var loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();

        Assert.Null(loaded.Mark);
        Assert.Contains("another version", loaded.Problem);
    }
}
