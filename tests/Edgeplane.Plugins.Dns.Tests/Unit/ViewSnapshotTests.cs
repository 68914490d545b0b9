using System.Buffers.Binary;
using System.Net;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Edgeplane.Plugins.Dns.Wire;
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
    public async Task A_zone_read_back_builds_its_lookup_tables_at_its_first_query_and_answers_as_before()
    {
        using var dir = new TempDirectory();
        var zone = TestZones.Snapshot("example.com", TestZones.Example);
        var saved = Builder.Snapshot("zone-id", "example.com", 7, 42, zone.Records(), []);
        new ViewSnapshot(dir.Path, Builder.Snapshot).Write(new ViewSnapshot.Mark(40, null, null), [saved]);

        var read = Assert.Single((await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync()).Zones);

        Assert.False(read.IsBuilt);
        var options = new DnsServerOptions();
        foreach (var (name, type) in new[] { ("www.example.com", RrType.A), ("example.com", RrType.MX), ("missing.example.com", RrType.A), ("alias.example.com", RrType.A) })
        {
            var query = DnsResponse.Query(0x4242, name, type, 1232);
            var fromFile = Assert.Single(new QueryHandler(() => new ZoneView([read], 40), options).Handle(query, false, IPAddress.Loopback));
            var built = Assert.Single(new QueryHandler(() => new ZoneView([saved.Built()], 40), options).Handle(query, false, IPAddress.Loopback));
            Assert.Equal(built, fromFile);
        }
        Assert.True(read.IsBuilt);
    }

    [Fact]
    public async Task A_zone_whose_records_do_not_parse_is_not_used_though_the_checksum_holds()
    {
        using var dir = new TempDirectory();
        var records = TestZones.Snapshot("example.com", TestZones.Example).Records();
        // The last record cut short: its RDATA length says more than is there.
        var cut = Builder.Snapshot("zone-id", "example.com", 7, 42, records[..^2], []);
        new ViewSnapshot(dir.Path, Builder.Snapshot).Write(new ViewSnapshot.Mark(40, null, null), [cut]);

        var loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();

        Assert.Null(loaded.Mark);
        Assert.NotNull(loaded.Problem);
    }

    [Fact]
    public void The_checksum_is_the_standard_CRC_32C()
    {
        // RFC 3720's check value of CRC-32C, and a length that is no multiple of the eight bytes taken at a time.
        Assert.Equal(0xE3069283u, Crc32C.Of("123456789"u8));
        Assert.Equal(0x8A9136AAu, Crc32C.Of(new byte[32]));
        var split = new Crc32C.Writing(Stream.Null);
        split.Write("1234"u8);
        split.Write("56789"u8);
        Assert.Equal(0xE3069283u, split.Value);
    }

    [Fact]
    public async Task A_damaged_or_cut_file_is_not_used()
    {
        using var dir = new TempDirectory();
        var zone = TestZones.Snapshot("example.com", TestZones.Example);
        new ViewSnapshot(dir.Path, Builder.Snapshot).Write(new ViewSnapshot.Mark(40, null, null), [Builder.Snapshot("zone-id", "example.com", 7, 42, zone.Records(), [])]);
        var path = Path.Combine(dir.Path, "view.snapshot");
        var whole = await File.ReadAllBytesAsync(path);

        var damaged = whole.ToArray();
        damaged[damaged.AsSpan().IndexOf("example.com"u8)] ^= 0x20; // the zone's name: the file still parses, only the checksum tells
        await File.WriteAllBytesAsync(path, damaged);
        var loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();
        Assert.Null(loaded.Mark);
        Assert.Contains("checksum", loaded.Problem);

        await File.WriteAllBytesAsync(path, whole[..^10]);
        loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();
        Assert.Null(loaded.Mark);
        Assert.NotNull(loaded.Problem);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    public async Task A_file_whose_count_of_zones_is_impossible_is_not_used_though_its_checksum_holds(int zones)
    {
        using var dir = new TempDirectory();
        await WriteChecksummedAsync(dir.Path, writer =>
        {
            writer.Write(3);
            writer.Write(5L);
            writer.Write(false);
            writer.Write(zones);
        });

        var loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();

        Assert.Null(loaded.Mark);
        Assert.NotNull(loaded.Problem);
    }

    private static async Task WriteChecksummedAsync(string directory, Action<BinaryWriter> write)
    {
        var body = new MemoryStream();
        using (var writer = new BinaryWriter(body)) write(writer);
        var content = body.ToArray();
        var checksum = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, Crc32C.Of(content));
        await File.WriteAllBytesAsync(Path.Combine(directory, "view.snapshot"), [.. checksum, .. content]);
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
        var checksum = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, Crc32C.Of(content));
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, "view.snapshot"), [.. checksum, .. content]);

        var loaded = await new ViewSnapshot(dir.Path, Builder.Snapshot).LoadAsync();

        Assert.Null(loaded.Mark);
        Assert.Contains("another version", loaded.Problem);
    }
}
