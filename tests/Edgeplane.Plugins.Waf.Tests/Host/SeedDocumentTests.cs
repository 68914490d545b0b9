using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.Tests.Engine;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Waf.Tests.Host;

/// <summary>
/// Scripts written for SecBeat work unchanged: every example of its API reference (`Seed/`, verbatim) runs against
/// a single-plugin node whose mounts have the seed profile on the document's four ports (free ports here), and gets
/// the status codes and fields the document shows. Only host, port and key change.
/// </summary>
public sealed partial class SeedDocumentTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<int, int> _ports = new() { [9999] = FreePort.Next(), [3030] = FreePort.Next(), [9090] = FreePort.Next(), [9191] = FreePort.Next() };
    private HostProcess _host = null!;

    public async ValueTask InitializeAsync()
    {
        var mmdb = _temp.Combine("countries.mmdb");
        new MmdbWriter().Add("127.0.0.1/32", "CN").Write(mmdb); // the document's geo_block example needs country data
        var env = new Dictionary<string, string?> { ["Edgeplane__Plugins__waf__GeoIpMmdb"] = mmdb };
        void Mount(int index, int port, string profile, params string[] paths)
        {
            env[$"Edgeplane__Plugins__waf__Mounts__{index}__At"] = $":{_ports[port]}";
            env[$"Edgeplane__Plugins__waf__Mounts__{index}__Profile"] = profile;
            for (var i = 0; i < paths.Length; i++) env[$"Edgeplane__Plugins__waf__Mounts__{index}__Paths__{i}"] = paths[i];
        }
        Mount(0, 9999, "seed", "/api/v1/status", "/api/v1/stats", "/api/v1/rules", "/api/v1/blacklist");
        Mount(1, 3030, "seed", "/api/v1/nodes", "/api/v1/policy", "/api/v1/scale", "/api/v1/threats");
        Mount(2, 9090, "seed", "/metrics");
        Mount(3, 9191, "native", "/metrics");
        _host = await HostProcess.StartAsync(new HostOptions { Plugins = ["Edgeplane.Plugins.Waf"], Environment = env });
    }

    [Fact]
    public async Task The_curl_examples_get_the_documented_answers()
    {
        var status = await CurlAsync("curl-01.sh");
        Assert.Equal(200, status.Code);
        Assert.Equal("running", (string)status.Json["status"]!);
        Assert.NotNull(status.Json["uptime_seconds"]);
        Assert.NotNull(status.Json["connections"]!["active"]);
        Assert.Equal("healthy", (string)status.Json["health"]!);
        Assert.Equal(200, (await CurlAsync("curl-02.sh")).Code);

        var created = await CurlAsync("curl-03.sh");
        Assert.True(created.Code is 200 or 201, created.Text);
        var id = (string)created.Json["id"]!;
        Assert.Matches("^rule_[0-9A-Za-z]+$", id);
        Assert.Equal("active", (string)created.Json["status"]!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)created.Json["created_at"]!);

        var rules = await CurlAsync("curl-04.sh");
        Assert.Equal(200, rules.Code);
        var listed = rules.Json["rules"]!.AsArray();
        Assert.Equal(listed.Count, (int)rules.Json["total"]!); // every active rule is listed, and total counts them
        var mine = listed.Single(r => (string)r!["id"]! == id)!;
        Assert.Equal("(?i)(union.*select|select.*from)", (string)mine["pattern"]!);
        Assert.Equal("block", (string)mine["action"]!);
        Assert.Equal(0, (int)mine["hits"]!);

        Assert.Equal(404, (await CurlAsync("curl-05.sh")).Code); // rule_12345 does not exist here
        Assert.Equal(200, (await CurlAsync("curl-05.sh", script => script.Replace("rule_12345", id))).Code);
        Assert.DoesNotContain((await CurlAsync("curl-04.sh")).Json["rules"]!.AsArray(), r => (string)r!["id"]! == id);

        Assert.True((await CurlAsync("curl-06.sh")).Code is 200 or 201);

        var stats = await CurlAsync("curl-07.sh");
        Assert.Equal(200, stats.Code);
        foreach (var field in new[] { "packets_processed", "attacks_blocked", "requests_per_second", "latency_ms", "cpu_percent", "memory_mb" })
            Assert.True(stats.Json[field] is JsonValue, $"stats has no {field}: {stats.Text}");

        var nodes = await CurlAsync("curl-08.sh");
        Assert.Equal(200, nodes.Code);
        Assert.NotNull(nodes.Json["nodes"]!.AsArray());

        Assert.True((await CurlAsync("curl-09.sh")).Code is 200 or 201);
        Assert.True((await CurlAsync("curl-10.sh")).Code is 200 or 202, (await CurlAsync("curl-10.sh")).Text); // sent as a form post: curl -d without a content type

        var threats = await CurlAsync("curl-11.sh");
        Assert.Equal(200, threats.Code);
        Assert.NotNull(threats.Json["active_threats"]);
        Assert.NotNull(threats.Json["top_attackers"]!.AsArray());
        Assert.NotNull(threats.Json["attack_types"]!.AsObject());
    }

    [Fact]
    public async Task Public_metrics_need_no_key_and_internal_metrics_do()
    {
        using var anonymous = new HttpClient();
        using var publicMetrics = await anonymous.GetAsync($"http://127.0.0.1:{_ports[9090]}/metrics", Ct);
        using var internalMetrics = await anonymous.GetAsync($"http://127.0.0.1:{_ports[9191]}/metrics", Ct);
        var both = await CurlAsync("curl-12.sh");

        Assert.Equal(HttpStatusCode.OK, publicMetrics.StatusCode);
        Assert.Contains("secbeat_attacks_blocked_total", await publicMetrics.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, internalMetrics.StatusCode);
        Assert.Equal([200, 200], CodesIn(both.Text).Append(both.Code)); // 9090 without a key of its own, 9191 with the key
    }

    [Fact]
    public async Task The_python_javascript_and_bash_examples_run_unchanged()
    {
        var python = await RunAsync("python3", "example.py");
        Assert.True(python.Exit == 0, python.Output);
        Assert.Contains("Status: running", python.Output);
        Assert.Matches(@"Rule created: rule_[0-9A-Za-z]+", python.Output);

        var node = await RunAsync("node", "example.js");
        Assert.True(node.Exit == 0, node.Output);
        Assert.Contains("Status:", node.Output);
        Assert.Contains("status: 'running'", node.Output);

        // the monitor loops forever: two rounds of it (stopped by the timeout) print numbers, not null
        var monitor = await RunAsync("bash", "monitor.sh", TimeSpan.FromSeconds(7));
        var lines = monitor.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(@"^\d+(\.\d+)?$", line));
    }

    private sealed record Answer(int Code, string Text, JsonObject Json);

    /// <summary>Runs a curl example with the key header added when it has none, and the status code written after the body.</summary>
    private async Task<Answer> CurlAsync(string file, Func<string, string>? edit = null)
    {
        var script = Localise(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seed", file)));
        if (!script.Contains("X-SecBeat-API-Key")) script = script.Replace("curl ", $"curl -H \"X-SecBeat-API-Key: {_host.AdminKey}\" ");
        script = script.Replace("curl ", "curl -sS -w '\\n%{http_code}\\n' ");
        if (edit is not null) script = edit(script);
        var (exit, output) = await ExecAsync("bash", ["-c", script], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"{file}: exit {exit}\n{output}");
        var lines = output.TrimEnd('\n').Split('\n');
        var body = string.Join('\n', lines[..^1]);
        return new Answer(int.Parse(lines[^1]), body, body.StartsWith('{') ? (JsonObject)JsonNode.Parse(body)! : []);
    }

    private async Task<(int Exit, string Output)> RunAsync(string program, string file, TimeSpan? timeout = null)
    {
        var path = _temp.Combine(file);
        File.WriteAllText(path, Localise(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Seed", file))));
        return await ExecAsync(program, [path], timeout ?? TimeSpan.FromSeconds(30), stopAtTimeout: timeout is not null);
    }

    /// <summary>Only host, port and key change: the document's localhost ports become this host's listeners.</summary>
    private string Localise(string script)
    {
        foreach (var (documented, port) in _ports) script = script.Replace($"localhost:{documented}", $"127.0.0.1:{port}");
        return script.Replace("your-api-key", _host.AdminKey).Replace("your-key", _host.AdminKey);
    }

    private static int[] CodesIn(string output) => [.. StatusLine().Matches(output).Select(m => int.Parse(m.Value))];

    [GeneratedRegex(@"(?m)^\d{3}$")]
    private static partial Regex StatusLine();

    private static async Task<(int Exit, string Output)> ExecAsync(string program, string[] args, TimeSpan timeout, bool stopAtTimeout = false)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
            if (!stopAtTimeout) throw new TimeoutException($"{program} {string.Join(' ', args)} ran over {timeout}");
            return (0, await stdout + await stderr);
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _temp.Dispose();
    }
}
