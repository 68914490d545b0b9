using System.Text;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;

namespace Edgeplane.Plugins.Ebpf.Tests;

public sealed class DomainTests
{
    private static AgentReport? Parse(string json, out Dictionary<string, List<string>> errors, int max = 1000)
    {
        errors = [];
        return AgentReport.Parse(Encoding.UTF8.GetBytes(json), max, errors);
    }

    private const string Prog = """{"id":7,"type":"xdp","name":"fw","tag":"0123456789abcdef","loadTimeNs":5,"runCnt":0}""";
    private const string Map = """{"id":3,"type":"hash","name":"conns","bytesKey":4}""";

    [Fact]
    public void A_valid_report_keeps_every_object_verbatim_and_the_feature_sections()
    {
        var report = Parse($$"""{"schemaVersion":1,"agentVersion":"0.1.0","hostname":"h1","kernel":{"release":"6.1.0"},"btf":{"available":true},"features":{"programTypes":[]},"programs":[{{Prog}}],"maps":[{{Map}}]}""", out var errors);
        Assert.Empty(errors);
        Assert.NotNull(report);
        Assert.Equal("6.1.0", report.KernelRelease);
        Assert.Equal(1, report.ProgramCount);
        Assert.Equal(1, report.MapCount);
        Assert.Equal(Prog, report.Objects[0].Detail);
        Assert.Equal("7/xdp/0123456789abcdef/5", report.Objects[0].Identity);
        Assert.Contains("\"btf\":{\"available\":true}", report.Features);
        Assert.DoesNotContain("programs", report.Features);
    }

    [Theory]
    [InlineData("not json", "body")]
    [InlineData("[]", "body")]
    [InlineData("""{"maps":[]}""", "programs")]
    [InlineData("""{"programs":{},"maps":[]}""", "programs")]
    [InlineData("""{"programs":[{"id":0,"type":"xdp","name":"a","tag":"0123456789abcdef"}],"maps":[]}""", "programs[0].id")]
    [InlineData("""{"programs":[{"id":"1","type":"xdp","name":"a","tag":"0123456789abcdef"}],"maps":[]}""", "programs[0].id")]
    [InlineData("""{"programs":[{"id":1,"type":"xdp","name":"a","tag":"xyz"}],"maps":[]}""", "programs[0].tag")]
    [InlineData("""{"programs":[],"maps":[{"id":1,"type":"hash","name":"a"},{"id":1,"type":"hash","name":"b"}]}""", "maps[1].id")]
    [InlineData("""{"programs":[],"maps":[{"id":1,"name":"a"}]}""", "maps[0].type")]
    [InlineData("""{"schemaVersion":2,"programs":[],"maps":[]}""", "schemaVersion")]
    [InlineData("""{"kernel":"6.1","programs":[],"maps":[]}""", "kernel")]
    [InlineData("""{"collectedAt":"yesterday","programs":[],"maps":[]}""", "collectedAt")]
    public void A_malformed_report_is_refused_naming_the_field(string json, string field)
    {
        Assert.Null(Parse(json, out var errors));
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void Too_many_objects_are_refused()
    {
        var maps = string.Join(",", Enumerable.Range(1, 11).Select(i => $$"""{"id":{{i}},"type":"hash","name":"m"}"""));
        Assert.Null(Parse($$"""{"programs":[],"maps":[{{maps}}]}""", out var errors, max: 10));
        Assert.Contains("maps", errors.Keys);
    }

    private static ReportedObject Obj(string kind, long id, string identity, string detail = "{}") => new(kind, id, identity, "t", "n", detail);

    [Fact]
    public void Diff_opens_new_objects_closes_vanished_ones_and_detects_reused_ids()
    {
        var current = new[]
        {
            new CurrentObject("r1", ObjectKinds.Program, 1, "1/a", "{}"),
            new CurrentObject("r2", ObjectKinds.Program, 2, "2/a", "{}"),
            new CurrentObject("r3", ObjectKinds.Map, 1, "1/m", "{}"),
            new CurrentObject("r4", ObjectKinds.Map, 5, "5/m", "{\"x\":1}"),
        };
        var reported = new[]
        {
            Obj(ObjectKinds.Program, 1, "1/a"),            // unchanged
            Obj(ObjectKinds.Program, 2, "2/b"),            // id reused by another program
            Obj(ObjectKinds.Map, 5, "5/m", "{\"x\":2}"),   // same map, new values
            Obj(ObjectKinds.Map, 9, "9/m"),                // new
        };
        var changes = InventoryDiff.Compute(current, reported);
        Assert.Equal(1, changes.Unchanged);
        Assert.Equal(["2/b", "9/m"], changes.Appeared.Select(a => a.Identity).Order());
        Assert.Equal(["r2", "r3"], changes.Disappeared.Select(d => d.RowId).Order());
        Assert.Equal("r4", Assert.Single(changes.Changed).Row.RowId);
    }

    [Fact]
    public void Node_state_follows_the_age_of_the_last_report()
    {
        var options = new EbpfOptions { StaleAfterSeconds = 90, OfflineAfterSeconds = 600 };
        var now = DateTimeOffset.UtcNow;
        Assert.Equal("pending", NodeStates.Of(null, now, options));
        Assert.Equal("online", NodeStates.Of(now.AddSeconds(-90), now, options));
        Assert.Equal("stale", NodeStates.Of(now.AddSeconds(-91), now, options));
        Assert.Equal("stale", NodeStates.Of(now.AddSeconds(-600), now, options));
        Assert.Equal("offline", NodeStates.Of(now.AddSeconds(-601), now, options));
    }
}
