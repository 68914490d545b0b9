using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>The agent against the real kernel, compared field by field with bpftool.</summary>
public sealed class AgentKernelTests
{
    private static async Task<JsonObject> ReportAsync(params string[] extra)
    {
        var run = await AgentBuild.RunAsync(AgentBuild.Agent, ["--once", "--stdout", .. extra]);
        Assert.True(run.ExitCode == 0, run.Output);
        return (JsonObject)JsonNode.Parse(run.Stdout)!;
    }

    private static async Task<JsonArray> BpftoolAsync(string what)
    {
        if (!AgentBuild.OnPath("bpftool") && !File.Exists("/usr/sbin/bpftool")) Assert.Skip("bpftool is not installed");
        var run = await AgentBuild.RunAsync(File.Exists("/usr/sbin/bpftool") ? "/usr/sbin/bpftool" : "bpftool", ["-j", what, "show"]);
        Assert.True(run.ExitCode == 0, run.Output);
        return (JsonArray)JsonNode.Parse(run.Stdout)!;
    }

    private static JsonObject ById(JsonArray array, long id) =>
        array.OfType<JsonObject>().SingleOrDefault(o => (long)o["id"]! == id) ?? throw new Xunit.Sdk.XunitException($"id {id} not in {array.ToJsonString()[..Math.Min(300, array.ToJsonString().Length)]}");

    [Fact]
    public async Task CTest_unit_and_kernel_tests_pass()
    {
        var dir = await AgentBuild.RequireAsync();
        var run = await AgentBuild.RunAsync("ctest", ["--output-on-failure", "-LE", "memcheck"], dir);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("json_writer", run.Stdout);
    }

    [Fact]
    public async Task Report_describes_the_kernel()
    {
        await AgentBuild.RequireAsync();
        var report = await ReportAsync();
        Assert.Equal(1, (int)report["schemaVersion"]!);
        Assert.Equal((await AgentBuild.RunAsync("uname", ["-r"])).Stdout.Trim(), (string)report["kernel"]!["release"]!);
        Assert.Equal(File.Exists("/sys/kernel/btf/vmlinux"), (bool)report["btf"]!["available"]!);
        var jit = File.ReadAllText("/proc/sys/net/core/bpf_jit_enable").Trim();
        Assert.Equal(int.Parse(jit), (int)report["jit"]!["enable"]!);
        var features = report["features"]!;
        var progTypes = features["programTypes"]!.AsArray();
        Assert.Contains(progTypes, t => (string)t!["name"]! == "socket_filter" && (bool?)t["supported"] == true);
        Assert.Contains(features["mapTypes"]!.AsArray(), t => (string)t!["name"]! == "hash" && (bool?)t["supported"] == true);
        // helpers really differ per program type (bpf_xdp_adjust_head is for XDP, not socket filters)
        var helpers = features["helpers"]!.AsObject();
        Assert.Contains("bpf_xdp_adjust_head", helpers["xdp"]!.AsArray().Select(h => (string)h!));
        Assert.DoesNotContain("bpf_xdp_adjust_head", helpers["socket_filter"]!.AsArray().Select(h => (string)h!));
        Assert.Contains("bpf_map_lookup_elem", helpers["socket_filter"]!.AsArray().Select(h => (string)h!));
        // bpffs mounts are exactly the bpf entries of /proc/self/mounts
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')).Where(f => f[2] == "bpf").Select(f => f[1]).ToList();
        Assert.Equal(mounts, report["bpffs"]!.AsArray().Select(m => (string)m!["path"]!).ToList());
    }

    [Fact]
    public async Task Programs_and_maps_match_bpftool_field_by_field_and_vanish_when_unloaded()
    {
        await AgentBuild.RequireAsync();
        var prefix = "t" + Random.Shared.Next(100000, 999999);
        JsonObject report;
        JsonArray progs, maps;
        IReadOnlyList<long> mapIds, programIds;
        await using (var fixture = await BpfFixtureProcess.StartAsync(maps: 4, programs: 3, prefix))
        {
            mapIds = fixture.MapIds;
            programIds = fixture.ProgramIds;
            report = await ReportAsync("--no-helpers");
            progs = await BpftoolAsync("prog");
            maps = await BpftoolAsync("map");

            foreach (var id in mapIds)
            {
                var a = ById(report["maps"]!.AsArray(), id);
                var b = ById(maps, id);
                Assert.StartsWith(prefix, (string)a["name"]!);
                Assert.Equal((string)b["type"]!, (string)a["type"]!);
                Assert.Equal((string)b["name"]!, (string)a["name"]!);
                Assert.Equal((long)b["flags"]!, (long)a["flags"]!);
                Assert.Equal((long)b["bytes_key"]!, (long)a["bytesKey"]!);
                Assert.Equal((long)b["bytes_value"]!, (long)a["bytesValue"]!);
                Assert.Equal((long)b["max_entries"]!, (long)a["maxEntries"]!);
                Assert.Equal((long)b["bytes_memlock"]!, (long)a["bytesMemlock"]!);
                Assert.Equal((int)b["frozen"]! != 0, (bool)a["frozen"]!);
            }
            foreach (var id in programIds)
            {
                var a = ById(report["programs"]!.AsArray(), id);
                var b = ById(progs, id);
                Assert.Equal("socket_filter", (string)a["type"]!);
                Assert.Equal((string)b["type"]!, (string)a["type"]!);
                Assert.Equal((string)b["name"]!, (string)a["name"]!);
                Assert.Equal((string)b["tag"]!, (string)a["tag"]!);
                Assert.Equal((bool)b["gpl_compatible"]!, (bool)a["gplCompatible"]!);
                Assert.Equal((long)b["uid"]!, (long)a["uid"]!);
                Assert.Equal((long)b["bytes_xlated"]!, (long)a["bytesXlated"]!);
                Assert.Equal((bool)b["jited"]!, (bool)a["jited"]!);
                Assert.Equal((long?)b["bytes_jited"] ?? 0, (long)a["bytesJited"]!);
                Assert.Equal((long)b["bytes_memlock"]!, (long)a["bytesMemlock"]!);
                Assert.Equal(b["map_ids"]!.AsArray().Select(x => (long)x!), a["mapIds"]!.AsArray().Select(x => (long)x!));
                Assert.Equal((long?)b["btf_id"] ?? 0, (long)a["btfId"]!);
                // bpftool prints loaded_at in local seconds; the agent in UTC milliseconds: compare as instants
                var bpftoolLoaded = DateTimeOffset.FromUnixTimeSeconds((long)b["loaded_at"]!);
                var agentLoaded = DateTimeOffset.Parse((string)a["loadedAt"]!);
                Assert.InRange((agentLoaded - bpftoolLoaded).TotalSeconds, -1.5, 1.5);
            }
            // the fixture's programs reference its maps
            Assert.Contains(mapIds[0], ById(report["programs"]!.AsArray(), programIds[0])["mapIds"]!.AsArray().Select(x => (long)x!));
        }

        // unloaded: the kernel frees maps asynchronously, so allow a few seconds
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<string> left;
        do
        {
            report = await ReportAsync("--no-features");
            left = report["maps"]!.AsArray().Concat(report["programs"]!.AsArray())
                .Select(o => (string)o!["name"]!).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (left.Count == 0) break;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        } while (DateTime.UtcNow < deadline);
        Assert.Empty(left);
    }

    [Fact]
    public async Task A_map_created_and_pinned_by_bpftool_on_a_new_bpffs_appears_in_the_report()
    {
        await AgentBuild.RequireAsync();
        await BpftoolAsync("map");
        var mountPoint = Path.Combine(Path.GetTempPath(), "ebpf-test-bpffs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(mountPoint);
        var mount = await AgentBuild.RunAsync("mount", ["-t", "bpf", "bpf", mountPoint]);
        if (mount.ExitCode != 0)
        {
            Directory.Delete(mountPoint);
            Assert.Skip("cannot mount a bpffs here: " + mount.Output.Trim());
        }
        var name = "bt" + Random.Shared.Next(1000000, 9999999);
        var pin = Path.Combine(mountPoint, name);
        try
        {
            var create = await AgentBuild.RunAsync("bpftool", ["map", "create", pin, "type", "hash", "key", "8", "value", "16", "entries", "128", "name", name]);
            if (create.ExitCode != 0 && create.Output.Contains("Operation not permitted")) Assert.Skip("bpftool may not create maps here: " + create.Output);
            Assert.True(create.ExitCode == 0, create.Output);

            var report = await ReportAsync("--no-features");
            var map = report["maps"]!.AsArray().OfType<JsonObject>().Single(m => (string)m["name"]! == name);
            var bpftool = (await BpftoolAsync("map")).OfType<JsonObject>().Single(m => (string)m["name"]! == name);
            Assert.Equal((long)bpftool["id"]!, (long)map["id"]!);
            Assert.Equal("hash", (string)map["type"]!);
            Assert.Equal(8, (int)map["bytesKey"]!);
            Assert.Equal(16, (int)map["bytesValue"]!);
            Assert.Equal(128, (int)map["maxEntries"]!);
            Assert.Equal((long)bpftool["bytes_memlock"]!, (long)map["bytesMemlock"]!);
            Assert.Contains(report["bpffs"]!.AsArray(), m => (string)m!["path"]! == mountPoint);

            File.Delete(pin); // unpin: the last reference goes, the map is freed
            var deadline = DateTime.UtcNow.AddSeconds(10);
            bool present;
            do
            {
                report = await ReportAsync("--no-features");
                present = report["maps"]!.AsArray().Any(m => (string)m!["name"]! == name);
                if (!present) break;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            } while (DateTime.UtcNow < deadline);
            Assert.False(present, "the unpinned map is still reported");
        }
        finally
        {
            if (File.Exists(pin)) File.Delete(pin);
            await AgentBuild.RunAsync("umount", [mountPoint]);
            Directory.Delete(mountPoint);
        }
    }

    [Fact]
    public async Task Stdout_without_once_is_refused_and_unknown_options_exit_2()
    {
        await AgentBuild.RequireAsync();
        Assert.Equal(2, (await AgentBuild.RunAsync(AgentBuild.Agent, ["--stdout"])).ExitCode);
        Assert.Equal(2, (await AgentBuild.RunAsync(AgentBuild.Agent, ["--bogus"])).ExitCode);
        var version = await AgentBuild.RunAsync(AgentBuild.Agent, ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("edgeplane-ebpf-agent ", version.Stdout);
    }

    [Fact]
    public async Task Reporting_mode_without_credential_or_token_exits_with_a_message()
    {
        await AgentBuild.RequireAsync();
        var state = Path.Combine(Path.GetTempPath(), "ebpf-state-" + Guid.NewGuid().ToString("N"), "state.json");
        var run = await AgentBuild.RunAsync(AgentBuild.Agent, ["--server", "http://127.0.0.1:9", "--state-file", state]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no enrollment token", run.Stderr);
        _ = JsonSerializer.Serialize(run.ExitCode);
    }
}
