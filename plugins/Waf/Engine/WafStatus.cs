using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>What <c>/status</c>, <c>/stats</c> and heartbeats report: real counters of this process.</summary>
public sealed class WafStatus(WafEngine engine, WafMetrics metrics, WafOptions options, TimeProvider clock)
{
    private readonly DateTimeOffset _started = clock.GetUtcNow();
    private readonly Lock _lock = new();
    private (DateTimeOffset At, TimeSpan Cpu) _lastCpu = (clock.GetUtcNow(), Process.GetCurrentProcess().TotalProcessorTime);
    private double _cpuPercent;

    public long UptimeSeconds => (long)(clock.GetUtcNow() - _started).TotalSeconds;

    /// <summary>Process CPU use since the previous call (at least a second apart), as a percentage of all cores.</summary>
    public double CpuPercent()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (now - _lastCpu.At < TimeSpan.FromSeconds(1)) return _cpuPercent;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            _cpuPercent = Math.Round(100 * (cpu - _lastCpu.Cpu).TotalSeconds / (now - _lastCpu.At).TotalSeconds / Environment.ProcessorCount, 1);
            _lastCpu = (now, cpu);
            return _cpuPercent;
        }
    }

    public StatusReport Status() => new(
        "running", options.Mode, options.Role, options.NodeId, UptimeSeconds, new ConnectionCounts(metrics.ActiveConnections, metrics.TotalConnections),
        "healthy", engine.Snapshot.Version, engine.Snapshot.Rules.Count,
        engine.Snapshot.SecLang is { } s
            ? new CrsStatus(s.RuleSet.ById.Count, s.RuleSet.Files, s.Settings.ParanoiaLevel, s.Settings.InboundAnomalyThreshold, s.Settings.OutboundAnomalyThreshold, s.BacktrackingRules)
            : null);

    public StatsReport Stats()
    {
        var c = engine.Counters;
        return new StatsReport(c.Inspected, c.Blocked + c.RateLimited, c.RequestsPerSecond, Math.Round(c.AverageInspectionMs, 4), CpuPercent(),
            Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024), c.RateLimited, c.SlowClientsCut, metrics.ActiveConnections);
    }

    public Heartbeat Heartbeat(long configVersion, Dictionary<string, long> ruleHits, List<NodeEvent> events) => new(
        options.NodeId, options.Proxy.Listen, options.Mode, "healthy", Math.Round(CpuPercent() / 100, 3), configVersion,
        new NodeStats(engine.Counters.Inspected, engine.Counters.Blocked + engine.Counters.RateLimited, engine.Counters.RequestsPerSecond,
            engine.Counters.TopAttackers(20).Select(a => new Attacker(a.Key, a.Value)).ToList(),
            engine.Counters.AttackTypes.ToDictionary(t => t.Key, t => t.Value), engine.Counters.ActiveThreats(TimeSpan.FromMinutes(5))),
        ruleHits, events);
}

/// <summary>What <c>/status</c> answers (snake_case as the seed writes it).</summary>
public sealed record StatusReport(
    string Status, string Mode, string Role, [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("uptime_seconds")] long UptimeSeconds, ConnectionCounts Connections, string Health,
    [property: JsonPropertyName("config_version")] string ConfigVersion, int Rules, CrsStatus? Crs);

public sealed record ConnectionCounts(long Active, long Total);

public sealed record CrsStatus(
    int Rules, IReadOnlyList<string> Files,
    [property: JsonPropertyName("paranoia_level")] int ParanoiaLevel,
    [property: JsonPropertyName("inbound_anomaly_threshold")] int InboundAnomalyThreshold,
    [property: JsonPropertyName("outbound_anomaly_threshold")] int OutboundAnomalyThreshold,
    [property: JsonPropertyName("backtracking_rules")] IEnumerable<int> BacktrackingRules);

/// <summary>What <c>/stats</c> answers.</summary>
public sealed record StatsReport(
    [property: JsonPropertyName("packets_processed")] long PacketsProcessed,
    [property: JsonPropertyName("attacks_blocked")] long AttacksBlocked,
    [property: JsonPropertyName("requests_per_second")] double RequestsPerSecond,
    [property: JsonPropertyName("latency_ms")] double LatencyMs,
    [property: JsonPropertyName("cpu_percent")] double CpuPercent,
    [property: JsonPropertyName("memory_mb")] long MemoryMb,
    [property: JsonPropertyName("rate_limited")] long RateLimited,
    [property: JsonPropertyName("slow_clients_cut")] long SlowClientsCut,
    [property: JsonPropertyName("connections_active")] long ConnectionsActive);

public sealed record Attacker(string Ip, long Attacks);

public sealed record NodeStats(long PacketsProcessed, long AttacksBlocked, double RequestsPerSecond, List<Attacker> TopAttackers, Dictionary<string, long> AttackTypes, int ActiveThreats);

public sealed record Heartbeat(string? Id, string? Address, string? Mode, string? Status, double Load, long ConfigVersion, NodeStats? Stats, Dictionary<string, long>? RuleHits,
    List<NodeEvent>? Events = null);

/// <summary>A webhook event raised on a node, handed to the orchestrator in a heartbeat; <see cref="Id"/> makes a resent one recognisable.</summary>
public sealed record NodeEvent(string Id, string Event, DateTimeOffset Timestamp, System.Text.Json.JsonElement Data);
