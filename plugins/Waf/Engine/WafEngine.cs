using System.Collections.Concurrent;
using System.Diagnostics;
using Edgeplane.Plugins.Waf.Matching;
using Edgeplane.Plugins.Waf.SecLang;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>Everything the engine enforces at one moment; replaced as a whole when configuration changes.</summary>
public sealed record EngineSnapshot(RuleMatcher Rules, IpBlacklist Blacklist, EffectivePolicy Policy, string Version, SecLangInspector? SecLang = null)
{
    public static EngineSnapshot Empty { get; } = new(new RuleMatcher([]), IpBlacklist.Empty, EffectivePolicy.None, "empty");
}

/// <summary>
/// The inspection engine: blacklist, geo block, rate limit, then rules. Thread-safe; the active
/// configuration is an immutable snapshot swapped atomically, so rules change while traffic flows.
/// </summary>
public sealed class WafEngine(TimeProvider clock, WafCounters counters)
{
    private volatile EngineSnapshot _snapshot = EngineSnapshot.Empty;
    private readonly RateLimiter _rateLimiter = new(clock);

    public EngineSnapshot Snapshot => _snapshot;
    /// <summary>The operator's country database for geo_block; null when none is configured (a geo_block policy is then refused).</summary>
    public ICountryDatabase? Geo { get; set; }

    /// <summary>Why a geo_block policy cannot be enforced here, or null when it can.</summary>
    public string? GeoBlockUnavailable => Geo is { HasData: true } ? null :
        "geo_block needs a country database on this host: set Edgeplane:Plugins:waf:GeoIpMmdb to a MaxMind-format country database " +
        "(.mmdb, e.g. GeoLite2-Country) or Edgeplane:Plugins:waf:GeoIpCsv to a CSV of IP ranges and countries, then restart";
    public WafCounters Counters => counters;

    /// <summary>The recent blocked requests with why they were blocked (what the client is not told).</summary>
    public BlockLog Blocks { get; } = new();

    public void Apply(EngineSnapshot snapshot) => _snapshot = snapshot;

    /// <summary>
    /// The request's verdict. With <paramref name="keepForResponse"/>, a request the SecLang rules passed carries its
    /// transaction in <see cref="Verdict.Response"/> for <see cref="InspectResponseHeaders"/> and <see cref="InspectResponseBody"/>.
    /// </summary>
    public Verdict Inspect(InspectionRequest request, bool keepForResponse = false)
    {
        var started = Stopwatch.GetTimestamp();
        var snapshot = _snapshot;
        var verdict = Evaluate(snapshot, request, keepForResponse);
        if (verdict.Kind != VerdictKind.Pass) Blocks.Record(request, verdict, clock.GetUtcNow());
        counters.RecordInspection(request, verdict, Stopwatch.GetElapsedTime(started));
        return verdict;
    }

    /// <summary>Phase 3 on the upstream's status line and headers: a block here replaces the response.</summary>
    public Verdict InspectResponseHeaders(InspectionRequest request, SecLangResponseCheck check, SecLangResponse response)
    {
        var started = Stopwatch.GetTimestamp();
        return Judged(request, check.Headers(response), started);
    }

    /// <summary>Phase 4 on the upstream's body (its first part, the inspection limit).</summary>
    public Verdict InspectResponseBody(InspectionRequest request, SecLangResponseCheck check, ReadOnlySpan<byte> body)
    {
        var started = Stopwatch.GetTimestamp();
        return Judged(request, check.Body(body), started);
    }

    private Verdict Judged(InspectionRequest request, SecLangFinding finding, long started)
    {
        if (finding.Matches.Count == 0) return NoMatch;
        var verdict = finding.Interrupting is { } rule
            ? new Verdict(VerdictKind.Block, finding.Reason, finding.AttackType, rule, null, finding.Matches)
            : Verdict.Pass(finding.Matches);
        if (verdict.Kind != VerdictKind.Pass) Blocks.Record(request, verdict, clock.GetUtcNow());
        counters.RecordResponseInspection(request, verdict, Stopwatch.GetElapsedTime(started));
        return verdict;
    }

    [ThreadStatic] private static List<RuleMatcher.RuleMatch>? t_matches;
    private static readonly Verdict NoMatch = Verdict.Pass([]);

    private Verdict Evaluate(EngineSnapshot snapshot, InspectionRequest request, bool keepForResponse)
    {
        var address = request.ClientAddress;
        var now = clock.GetUtcNow();
        if (snapshot.Blacklist.Find(address, now) is { } entry)
            return new Verdict(VerdictKind.Block, $"client address is blacklisted ({entry.Network}): {entry.Reason}", "blacklist", null, null, []);
        var policy = snapshot.Policy;
        if (address is not null && policy.BlockedCountries.Count > 0 && Geo?.Lookup(address) is { } country && policy.BlockedCountries.Contains(country))
            return new Verdict(VerdictKind.Block, $"requests from {country} are blocked by policy '{policy.Name}'", "geo_block", null, null, []);
        if (address is not null && policy.RateLimitPerSecond is { } rate && _rateLimiter.Acquire(address, rate) is { } retryAfter)
            return new Verdict(VerdictKind.RateLimited, $"more than {rate} requests per second from this address", "http_flood", null, retryAfter, []);

        // The common case (nothing matches) allocates no match list: a per-thread scratch list, copied only when something matched.
        var scratch = t_matches ??= new List<RuleMatcher.RuleMatch>();
        scratch.Clear();
        var rules = snapshot.Rules;
        if (rules.Count > 0)
        {
            rules.Match(RuleTarget.Path, RequestText.Decode(request.RawPath, plusIsSpace: false), scratch);
            rules.Match(RuleTarget.Query, RequestText.Decode(request.RawQuery, plusIsSpace: true), scratch);
            rules.Match(RuleTarget.Headers, RequestText.Headers(request.Headers), scratch);
            if (!string.IsNullOrEmpty(request.Body))
                rules.Match(RuleTarget.Body, RequestText.Body(request.Body, request.ContentType), scratch, cut: request.BodyCut);
        }
        if (scratch.Count == 0 && snapshot.SecLang is null) return NoMatch;
        var matches = scratch.ToArray();
        scratch.Clear();
        if (matches.Any(m => m.Rule.Action == RuleAction.Allow)) return Verdict.Pass(matches);
        WafRule? blocking = null;
        foreach (var m in matches)
            if (m.Rule.Action == RuleAction.Block && (blocking is null || WafRule.SeverityRank(m.Rule.Severity) > WafRule.SeverityRank(blocking.Severity)))
                blocking = m.Rule;
        if (blocking is null && snapshot.SecLang is { } secLang)
        {
            // the operator's rules found nothing to block (and no exception): the SecLang rules (the CRS) decide
            var finding = secLang.Inspect(request, keepForResponse);
            if (finding.Matches.Count > 0) matches = [.. matches, .. finding.Matches];
            if (finding.Interrupting is { } rule) return new Verdict(VerdictKind.Block, finding.Reason, finding.AttackType, rule, null, matches);
            if (finding.Response is { } check) return Verdict.Pass(matches) with { Response = check };
        }
        if (blocking is null) return matches.Length == 0 ? NoMatch : Verdict.Pass(matches);
        var part = matches.First(m => m.Rule == blocking).Part;
        return new Verdict(VerdictKind.Block, $"rule {blocking.Id} ({blocking.Severity}) matched the request {part.ToString().ToLowerInvariant()}",
            blocking.Tags.FirstOrDefault() ?? "rule", blocking, null, matches);
    }
}

/// <summary>The engine's counters: totals, per-rule hits, attackers and attack types, request rate.</summary>
public sealed class WafCounters(TimeProvider clock)
{
    private long _inspected;
    private long _blocked;
    private long _rateLimited;
    private long _slowClientsCut;
    private long _inspectionTicks;
    private readonly ConcurrentDictionary<string, long> _ruleHits = new();
    private readonly ConcurrentDictionary<string, long> _attackers = new();
    private readonly ConcurrentDictionary<string, long> _attackTypes = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAttack = new();
    private readonly long[] _perSecond = new long[8];
    private readonly long[] _secondStamp = new long[8];

    public long Inspected => Interlocked.Read(ref _inspected);
    public long Blocked => Interlocked.Read(ref _blocked);
    public long RateLimited => Interlocked.Read(ref _rateLimited);
    public long SlowClientsCut => Interlocked.Read(ref _slowClientsCut);
    public double AverageInspectionMs => Inspected == 0 ? 0 : Interlocked.Read(ref _inspectionTicks) * 1000.0 / Stopwatch.Frequency / Inspected;

    /// <summary>Called for every verdict, with the time the inspection took.</summary>
    public event Action<InspectionRequest, Verdict, TimeSpan>? Inspection;

    public void RecordInspection(InspectionRequest request, Verdict verdict, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _inspected);
        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % _perSecond.Length);
        if (Interlocked.Exchange(ref _secondStamp[slot], second) != second) Interlocked.Exchange(ref _perSecond[slot], 0);
        Interlocked.Increment(ref _perSecond[slot]);
        RecordResponseInspection(request, verdict, elapsed);
    }

    /// <summary>A verdict on the upstream's response: hits, blocks and events as for a request; the request was counted already.</summary>
    public void RecordResponseInspection(InspectionRequest request, Verdict verdict, TimeSpan elapsed)
    {
        Interlocked.Add(ref _inspectionTicks, (long)(elapsed.TotalSeconds * Stopwatch.Frequency));
        foreach (var m in verdict.Matches) _ruleHits.AddOrUpdate(m.Rule.Id, 1, (_, v) => v + 1);
        if (verdict.Kind != VerdictKind.Pass)
        {
            if (verdict.Kind == VerdictKind.RateLimited) Interlocked.Increment(ref _rateLimited);
            else Interlocked.Increment(ref _blocked);
            RecordAttack(request.ClientAddress?.ToString(), verdict.AttackType ?? "unknown");
        }
        Inspection?.Invoke(request, verdict, elapsed);
    }

    public void RecordSlowClient(string? address)
    {
        Interlocked.Increment(ref _slowClientsCut);
        RecordAttack(address, "slowloris");
    }

    private void RecordAttack(string? address, string type)
    {
        _attackTypes.AddOrUpdate(type, 1, (_, v) => v + 1);
        if (address is null) return;
        _attackers.AddOrUpdate(address, 1, (_, v) => v + 1);
        _lastAttack[address] = clock.GetUtcNow();
    }

    /// <summary>Requests per second over the last five complete seconds.</summary>
    public double RequestsPerSecond
    {
        get
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            long total = 0;
            for (var s = now - 5; s < now; s++)
            {
                var slot = (int)(s % _perSecond.Length);
                if (Interlocked.Read(ref _secondStamp[slot]) == s) total += Interlocked.Read(ref _perSecond[slot]);
            }
            return total / 5.0;
        }
    }

    /// <summary>Hits per rule id since the last <see cref="DrainRuleHits"/> (the repository persists them).</summary>
    public IReadOnlyDictionary<string, long> PendingRuleHits => _ruleHits;

    public Dictionary<string, long> DrainRuleHits()
    {
        var drained = new Dictionary<string, long>();
        foreach (var key in _ruleHits.Keys)
            if (_ruleHits.TryRemove(key, out var v)) drained[key] = v;
        return drained;
    }

    /// <summary>Undo a drain whose write failed.</summary>
    public void RestoreRuleHits(Dictionary<string, long> hits)
    {
        foreach (var (id, v) in hits) _ruleHits.AddOrUpdate(id, v, (_, old) => old + v);
    }

    /// <summary>The totals worth keeping across a restart (the request rate and rule hits not yet persisted are not).</summary>
    public CounterState Save(int maxAttackers = 1000)
    {
        var attackers = TopAttackers(maxAttackers).ToDictionary();
        return new CounterState(Inspected, Blocked, RateLimited, SlowClientsCut, Interlocked.Read(ref _inspectionTicks) / (double)Stopwatch.Frequency,
            attackers, _attackTypes.ToDictionary(),
            _lastAttack.Where(a => attackers.ContainsKey(a.Key)).ToDictionary());
    }

    /// <summary>Adds totals saved by an earlier run of this process.</summary>
    public void Restore(CounterState state)
    {
        Interlocked.Add(ref _inspected, state.Inspected);
        Interlocked.Add(ref _blocked, state.Blocked);
        Interlocked.Add(ref _rateLimited, state.RateLimited);
        Interlocked.Add(ref _slowClientsCut, state.SlowClientsCut);
        Interlocked.Add(ref _inspectionTicks, (long)(state.InspectionSeconds * Stopwatch.Frequency));
        foreach (var (ip, n) in state.Attackers ?? []) _attackers.AddOrUpdate(ip, n, (_, v) => v + n);
        foreach (var (type, n) in state.AttackTypes ?? []) _attackTypes.AddOrUpdate(type, n, (_, v) => v + n);
        foreach (var (ip, at) in state.LastAttack ?? []) _lastAttack.AddOrUpdate(ip, at, (_, v) => v > at ? v : at);
    }

    public IReadOnlyList<KeyValuePair<string, long>> TopAttackers(int count) =>
        _attackers.OrderByDescending(a => a.Value).ThenBy(a => a.Key).Take(count).ToList();

    public IReadOnlyDictionary<string, long> AttackTypes => _attackTypes;

    /// <summary>Distinct addresses that attacked within <paramref name="window"/>.</summary>
    public int ActiveThreats(TimeSpan window)
    {
        var since = clock.GetUtcNow() - window;
        return _lastAttack.Count(a => a.Value >= since);
    }
}

/// <summary>What <see cref="WafCounters.Save"/> keeps across a restart.</summary>
public sealed record CounterState(long Inspected, long Blocked, long RateLimited, long SlowClientsCut, double InspectionSeconds,
    Dictionary<string, long>? Attackers, Dictionary<string, long>? AttackTypes, Dictionary<string, DateTimeOffset>? LastAttack);
