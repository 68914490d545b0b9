// In-process cost of the WAF's inspection with the OWASP CRS loaded (Debian's modsecurity-crs): the requests of
// bench/waf/run.sh (wrk's GET, the 2 KB form POST) and a browser-like GET, through WafEngine exactly as the proxy
// calls it; optionally with N random operator rules beside the CRS (the shapes run.sh bulk-imports).
// usage: dotnet run -c Release -- [seconds-per-request=3] [operator-rules=0] [paranoia-level=1] [only requests whose name contains this]
// For a profile: DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -D 25000 -g dotnet bin/Release/net10.0/SecLangProfile.dll 30
// (-D skips the CRS load). REQUESTS=n runs each request n times instead of for a time. UNFILTERED=1 lists the regexes without a literal prefilter; ALLOCATIONS=1 samples what is allocated.
using System.Diagnostics;
using System.Net;
using System.Text;
using Edgeplane.Plugins.Waf;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.SecLang;
using Edgeplane.Plugins.Waf.SecLang.Operators;

var seconds = args.Length > 0 ? double.Parse(args[0]) : 3;
var operatorRules = args.Length > 1 ? int.Parse(args[1]) : 0;
var paranoia = args.Length > 2 ? int.Parse(args[2]) : 1;
var only = args.Length > 3 ? args[3] : "";

var sw = Stopwatch.StartNew();
var crs = SecLangInspector.Load(new WafOptions { CoreRuleSet = true, ParanoiaLevel = paranoia })!;
Console.WriteLine($"CRS loaded: {crs.RuleSet.Rules.Count} rules and markers in {sw.ElapsedMilliseconds} ms, paranoia level {paranoia}");
var regexes = crs.RuleSet.Rules.SelectMany(r => r.Chain()).Select(r => r.Operator).OfType<RegexOperator>().ToList();
Console.WriteLine($"@rx operators: {regexes.Count}, {regexes.Count(r => r.RequiredLiterals is not null)} with a literal prefilter, {regexes.Count(r => r.Backtracking)} backtracking");
if (Environment.GetEnvironmentVariable("UNFILTERED") is not null)
    foreach (var rule in crs.RuleSet.Rules.SelectMany(r => r.Chain()).Where(r => r.Operator is RegexOperator { RequiredLiterals: null }))
        Console.WriteLine($"  no prefilter: {rule.Id} {rule.Operator!.Parameter[..Math.Min(100, rule.Operator.Parameter.Length)]}");
var rnd = new Random(1);
string Word() => new([.. Enumerable.Range(0, rnd.Next(5, 10)).Select(_ => (char)('a' + rnd.Next(26)))]);
var rules = Enumerable.Range(0, operatorRules).Select(i => new WafRule("r" + i, (i % 4) switch
{
    0 => $"(?i){Word()}[_-]?{Word()}",
    1 => $@"{Word()}\s*=\s*\d+{Word()}",
    2 => $@"(?i)(?:{Word()}|{Word()})\.php\?{Word()}=",
    _ => $@"/{Word()}/{Word()}\.(?:bak|old)",
}, RuleAction.Block, "high", RuleTarget.All, [])).ToArray();
var engine = new WafEngine(TimeProvider.System, new WafCounters(TimeProvider.System));
engine.Apply(EngineSnapshot.Empty with { Rules = new RuleMatcher(rules), SecLang = crs, Version = "bench" });

var comment = new StringBuilder();
while (comment.Length < 1900) comment.Append("The quarterly review went well and the team agreed to ship the new release next week. ");
var form = "name=Jane+Doe&email=jane%40example.com&comment=" + comment.ToString().Replace(' ', '+');
var requests = new (string Name, InspectionRequest Request)[]
{
    ("wrk GET", new(IPAddress.Loopback, "GET", "/api/v1/products", "page=2", [new("Host", "shop.example")], null)),
    ("browser GET", new(IPAddress.Loopback, "GET", "/catalog/shoes/running", "size=42&color=blue&sort=price_asc", [
        new("Host", "shop.example"),
        new("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
        new("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
        new("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"), new("Accept-Encoding", "gzip, deflate, br"),
        new("Referer", "https://shop.example/catalog/shoes"),
        new("Cookie", "session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; consent=analytics%3Dno%26ads%3Dno"),
    ], null)),
    ("2 KB form POST", new(IPAddress.Loopback, "POST", "/comment", "", [
        new("Host", "shop.example"), new("Content-Type", "application/x-www-form-urlencoded"), new("Content-Length", form.Length.ToString()),
    ], form, "application/x-www-form-urlencoded")),
    ("SQLi GET (blocked)", new(IPAddress.Loopback, "GET", "/item", "id=1%27%20OR%20%271%27=%271", [new("Host", "shop.example")], null)),
};

// REQUESTS=n runs each request n times instead (for perf stat -e instructions: a figure the load of a shared machine does not change)
var fixedCount = Environment.GetEnvironmentVariable("REQUESTS") is { } fixedText ? int.Parse(fixedText) : (int?)null;
using var sampler = Environment.GetEnvironmentVariable("ALLOCATIONS") is null ? null : new AllocationSampler();
foreach (var (name, request) in requests.Where(r => r.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
{
    var verdict = engine.Inspect(request);
    for (var i = 0; i < 2000; i++) engine.Inspect(request); // tiered JIT
    var n = 0;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    sw.Restart();
    // batches of 10 requests: on a shared machine the fastest batches are the ones no other process interrupted
    var batches = new List<long>();
    while (fixedCount is { } count ? n < count : sw.Elapsed.TotalSeconds < seconds)
    {
        for (var b = 0; b < 10; b++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < 10; i++) engine.Inspect(request);
            batches.Add(Stopwatch.GetTimestamp() - started);
        }
        n += 100;
    }
    var wall = sw.Elapsed.TotalMicroseconds / n;
    batches.Sort();
    double PerRequest(long ticks) => ticks * 1e6 / Stopwatch.Frequency / 10;
    var cpuPer = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n;
    var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / n;
    Console.WriteLine($"{name,-20} {verdict.Kind,-6} {wall,8:F1} µs wall {cpuPer,8:F1} µs CPU per request, {bytes,7} B allocated, {n} requests; " +
        $"fastest batches {PerRequest(batches[0]),6:F1} µs, 10th percentile {PerRequest(batches[batches.Count / 10]),6:F1} µs per request");
}
if (sampler is not null)
    foreach (var (type, ticks) in sampler.ByType.OrderByDescending(kv => kv.Value).Take(15)) Console.WriteLine($"{ticks,6} allocation ticks: {type}");

/// <summary>Samples the runtime's allocation ticks (one per ~100 KB allocated) by type: what a request allocates most.</summary>
sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> ByType = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.PayloadNames is null) return;
        var type = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        ByType.AddOrUpdate(type, 1, (_, v) => v + 1);
    }
}
