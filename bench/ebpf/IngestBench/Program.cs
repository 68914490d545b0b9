// Host-side benchmark: sustained report ingestion for NODES nodes x PROGRAMS programs on SQLite, and the
// latency of the team-wide program list at that size. Starts the real host (only the eBPF plugin) on 127.0.0.1.
// usage: IngestBench <agent-report.json> [nodes=1000] [concurrency=8] [sqlite|postgres]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Testing;

var template = (JsonObject)JsonNode.Parse(File.ReadAllText(args[0]))!;
var nodes = args.Length > 1 ? int.Parse(args[1]) : 1000;
var concurrency = args.Length > 2 ? int.Parse(args[2]) : 8;
var programs = template["programs"]!.AsArray().Count;
var maps = template["maps"]!.AsArray().Count;
var provider = args.Length > 3 ? args[3] : "sqlite";
var body = template.ToJsonString();
Console.WriteLine($"report: {programs} programs, {maps} maps, {body.Length / 1024} KiB; {nodes} nodes; {concurrency} concurrent senders; {provider}");

var options = new HostOptions
{
    Plugins = ["Edgeplane.Plugins.Ebpf"],
    Environment =
    {
        ["Edgeplane__Plugins__ebpf__MaxReportBytes"] = (64 * 1024 * 1024).ToString(),
        ["Logging__LogLevel__Default"] = "Warning",
    },
};
if (provider != "sqlite")
{
    if (TestDatabases.Unavailable(provider) is { } why) throw new InvalidOperationException(why);
    foreach (var (k, v) in await TestDatabases.CreateAsync(provider, Path.GetTempPath())) options.Environment[k] = v;
}
await using var host = await HostProcess.StartAsync(options);
// the host's CPU time (user + system) from /proc: on a shared machine wall times depend on the others' load
var hostPid = FindListener(host.Port);
double HostCpuSeconds()
{
    if (hostPid is null) return double.NaN;
    var fields = File.ReadAllText($"/proc/{hostPid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime, stime (fields 14, 15) in clock ticks
}
static int? FindListener(int port)
{
    var psi = new ProcessStartInfo("ss", $"-ltnpH sport = :{port}") { RedirectStandardOutput = true };
    using var ss = Process.Start(psi)!;
    var text = ss.StandardOutput.ReadToEnd();
    ss.WaitForExit();
    var m = System.Text.RegularExpressions.Regex.Match(text, @"pid=(\d+)");
    return m.Success ? int.Parse(m.Groups[1].Value) : null;
}
using var identity = await IdentityClient.SignInAsAdminAsync(host);
var teamId = await identity.CreateTeamAsync("bench");
var key = await identity.KeyForNewMemberAsync(teamId, "operator");
var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/ebpf/"), Timeout = TimeSpan.FromMinutes(2) };
using var authed = new HttpRequestMessage();
var auth = new AuthenticationHeaderValue("apiKey", key);

async Task<JsonObject> Send(HttpMethod method, string path, HttpContent? content = null, string? credential = null, bool withKey = false)
{
    using var request = new HttpRequestMessage(method, path) { Content = content };
    if (withKey) request.Headers.Authorization = auth;
    if (credential is not null) request.Headers.Add("X-Edgeplane-Node-Credential", credential);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    return (JsonObject)JsonNode.Parse(text)!;
}

var token = (string)(await Send(HttpMethod.Post, $"api/v1/teams/{teamId}/enrollment-tokens", JsonContent.Create(new { name = "bench" }), withKey: true))["secret"]!;

// Warm-up (not measured): a running host has compiled its hot paths; a fresh one spends the first
// seconds in the JIT. WARMUP nodes of another team each send three reports before the measured rounds.
var warmup = int.TryParse(Environment.GetEnvironmentVariable("WARMUP"), out var w0) ? w0 : 50;
if (warmup > 0)
{
    var warmTeam = await identity.CreateTeamAsync("bench-warmup");
    var warmKey = await identity.KeyForNewMemberAsync(warmTeam, "operator");
    var warmToken = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/teams/{warmTeam}/enrollment-tokens")
    {
        Content = JsonContent.Create(new { name = "warmup" }),
        Headers = { Authorization = new AuthenticationHeaderValue("apiKey", warmKey) },
    });
    var warmSecret = (string)JsonNode.Parse(await warmToken.Content.ReadAsStringAsync())!["secret"]!;
    var ws = Stopwatch.StartNew();
    await Parallel.ForAsync(0, warmup, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
    {
        var r = await Send(HttpMethod.Post, "api/v1/nodes/enroll", JsonContent.Create(new { token = warmSecret, name = $"warm-{i:d4}" }));
        for (var k = 0; k < 3; k++)
            await Send(HttpMethod.Post, $"api/v1/nodes/{(string)r["nodeId"]!}/reports", new StringContent(body, Encoding.UTF8, "application/json"), (string)r["credential"]!);
    });
    Console.WriteLine($"warm-up: {warmup} nodes of another team, 3 reports each, {ws.Elapsed.TotalSeconds:f2} s (not measured)");
}
var enrolled = new (string Id, string Credential)[nodes];
var sw = Stopwatch.StartNew();
await Parallel.ForAsync(0, nodes, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
{
    var r = await Send(HttpMethod.Post, "api/v1/nodes/enroll", JsonContent.Create(new { token, name = $"node-{i:d4}" }));
    enrolled[i] = ((string)r["nodeId"]!, (string)r["credential"]!);
});
Console.WriteLine($"enrolled {nodes} nodes in {sw.Elapsed.TotalSeconds:f2} s");

async Task<double> Round(string label, Func<int, string> report)
{
    var cpu = HostCpuSeconds();
    var watch = Stopwatch.StartNew();
    await Parallel.ForAsync(0, nodes, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        await Send(HttpMethod.Post, $"api/v1/nodes/{enrolled[i].Id}/reports", new StringContent(report(i), Encoding.UTF8, "application/json"), enrolled[i].Credential));
    var s = watch.Elapsed.TotalSeconds;
    Console.WriteLine($"{label,-44} {nodes} reports in {s,6:f2} s = {nodes / s,7:f1} reports/s ({nodes * (programs + maps) / s,9:f0} objects/s); host CPU {HostCpuSeconds() - cpu:f2} s; load {File.ReadAllText("/proc/loadavg")[..14]}");
    return s;
}

var first = await Round("first reports (every object new)", _ => body);
var steady = await Round("steady state (same objects, new last-seen)", _ => body);
// churn: each node's run counters change and a tenth of its programs are replaced
string Churned(int round)
{
    var copy = (JsonObject)template.DeepClone();
    var list = copy["programs"]!.AsArray();
    for (var p = 0; p < list.Count; p++)
    {
        var prog = list[p]!.AsObject();
        prog["runCnt"] = round * 1000 + p;
        if (p % 10 == 0) { prog["id"] = 1_000_000 + round * 10_000 + p; prog["loadTimeNs"] = round; }
    }
    return copy.ToJsonString();
}
var churnBody = Churned(1);
var churn = await Round("churn (counters changed, 10% replaced)", _ => churnBody);

// latency of the team-wide program list at this size
using var viewer = new HttpClient { BaseAddress = http.BaseAddress };
viewer.DefaultRequestHeaders.Authorization = auth;
var total = (long)(await Send(HttpMethod.Get, $"api/v1/teams/{teamId}/bpfprograms?limit=1", withKey: true))["total"]!;
foreach (var (label, limit) in new[] { ("limit=50", 50), ("limit=500", 500) })
{
    var samples = new List<double>();
    var rnd = new Random(1);
    for (var i = 0; i < 200; i++)
    {
        var offset = i % 2 == 0 ? 0 : rnd.NextInt64(0, Math.Max(1, total - limit));
        var w = Stopwatch.StartNew();
        using var response = await viewer.GetAsync($"api/v1/teams/{teamId}/bpfprograms?limit={limit}&offset={offset}");
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        samples.Add(w.Elapsed.TotalMilliseconds);
    }
    samples.Sort();
    Console.WriteLine($"GET team bpfprograms {label,-10} over {total} programs: p50 {samples[100]:f1} ms, p99 {samples[197]:f1} ms");
}
Console.WriteLine($"target: 1,000 node reports in under 10 s -> first {first:f2} s, steady {steady:f2} s, churn {churn:f2} s");
