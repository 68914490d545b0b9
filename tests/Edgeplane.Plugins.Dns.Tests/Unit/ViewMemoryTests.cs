using System.Runtime.CompilerServices;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Server;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

[CollectionDefinition(nameof(ViewMemoryTests), DisableParallelization = true)]
public sealed class ViewMemoryCollection;

/// <summary>
/// The served view holds each record once, in its compact wire form: the memory a view of 10,000 records keeps
/// (zones whose whole content is also their IXFR journal, as a bulk load leaves them) stays near the wire bytes.
/// </summary>
[Collection(nameof(ViewMemoryTests))]
public sealed class ViewMemoryTests(ITestOutputHelper output)
{
    private const int Zones = 20, PerZone = 500;

    [Fact]
    public void A_view_keeps_a_few_hundred_bytes_per_record()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var view = Build();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(view);
        var perRecord = (after - before) / (Zones * PerZone);
        output.WriteLine($"{perRecord} bytes retained per record");
        Assert.InRange(perRecord, 1, 600);
    }

    /// <summary>
    /// The snapshot is written every second while zones change: it streams to its file instead of being assembled in
    /// memory first (a growing buffer of twice the file's size in the large object heap, kept by the process after each write).
    /// </summary>
    [Fact]
    public void Writing_the_snapshot_allocates_less_than_the_file_holds()
    {
        using var dir = new Edgeplane.Testing.TempDirectory();
        var view = Build();
        var snapshot = new ViewSnapshot(dir.Path, new ZoneBuilder(new DnsServerOptions { NameServers = ["ns1.example.net", "ns2.example.net"] }).Snapshot);
        snapshot.Write(new ViewSnapshot.Mark(1, null, null), view.Zones.Values);
        var before = GC.GetAllocatedBytesForCurrentThread();
        snapshot.Write(new ViewSnapshot.Mark(1, null, null), view.Zones.Values);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var length = new FileInfo(Path.Combine(dir.Path, "view.snapshot")).Length;
        output.WriteLine($"{allocated:N0} bytes allocated writing a file of {length:N0} bytes");
        Assert.InRange(allocated, 1, length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ZoneView Build() =>
        new(Enumerable.Range(1, Zones).Select(z =>
        {
            var zone = $"z{z}.example";
            var records = TestZones.Records(zone, Inputs(zone));
            return new ZoneSnapshot(zone, TestZones.Soa(zone), ["ns1.example.net", "ns2.example.net"], 86400, records)
            {
                Journal = [ZoneDelta.Of(zone, 6, 7, [], TestZones.Records(zone, Inputs(zone)))],
            };
        }).ToList(), 1);

    private static RecordInput[] Inputs(string zone) =>
        Enumerable.Range(0, PerZone).Select(i => (i % 10) switch
        {
            0 => new RecordInput($"host{i}", "AAAA", 300, $"2001:db8::{i:x}"),
            1 => new RecordInput($"host{i}", "TXT", 300, $"v=spf1 include:_spf.{zone} -all"),
            2 => new RecordInput($"alias{i}", "CNAME", 300, $"host{i - 2}.{zone}"),
            3 => new RecordInput($"host{i}", "MX", 300, $"mail.{zone}", Priority: 10),
            _ => new RecordInput($"host{i}", "A", 300, $"192.0.{i / 250}.{i % 250 + 1}"),
        }).ToArray();
}
