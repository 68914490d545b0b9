using System.Diagnostics;

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

    public object Status() => new
    {
        status = "running",
        mode = options.Mode,
        role = options.Role,
        node_id = options.NodeId,
        uptime_seconds = UptimeSeconds,
        connections = new { active = metrics.ActiveConnections, total = metrics.TotalConnections },
        health = "healthy",
        config_version = engine.Snapshot.Version,
        rules = engine.Snapshot.Rules.Count,
        crs = engine.Snapshot.SecLang is { } s ? new
        {
            rules = s.RuleSet.ById.Count,
            files = s.RuleSet.Files,
            paranoia_level = s.Settings.ParanoiaLevel,
            inbound_anomaly_threshold = s.Settings.InboundAnomalyThreshold,
            outbound_anomaly_threshold = s.Settings.OutboundAnomalyThreshold,
            backtracking_rules = s.BacktrackingRules,
        } : null,
    };

    public object Stats()
    {
        var c = engine.Counters;
        return new
        {
            packets_processed = c.Inspected,
            attacks_blocked = c.Blocked + c.RateLimited,
            requests_per_second = c.RequestsPerSecond,
            latency_ms = Math.Round(c.AverageInspectionMs, 4),
            cpu_percent = CpuPercent(),
            memory_mb = Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024),
            rate_limited = c.RateLimited,
            slow_clients_cut = c.SlowClientsCut,
            connections_active = metrics.ActiveConnections,
        };
    }

    public Heartbeat Heartbeat(long configVersion, Dictionary<string, long> ruleHits, List<NodeEvent> events) => new(
        options.NodeId, options.Proxy.Listen, options.Mode, "healthy", Math.Round(CpuPercent() / 100, 3), configVersion,
        new NodeStats(engine.Counters.Inspected, engine.Counters.Blocked + engine.Counters.RateLimited, engine.Counters.RequestsPerSecond,
            engine.Counters.TopAttackers(20).Select(a => new Attacker(a.Key, a.Value)).ToList(),
            engine.Counters.AttackTypes.ToDictionary(t => t.Key, t => t.Value), engine.Counters.ActiveThreats(TimeSpan.FromMinutes(5))),
        ruleHits, events);
}

public sealed record Attacker(string Ip, long Attacks);

public sealed record NodeStats(long PacketsProcessed, long AttacksBlocked, double RequestsPerSecond, List<Attacker> TopAttackers, Dictionary<string, long> AttackTypes, int ActiveThreats);

public sealed record Heartbeat(string? Id, string? Address, string? Mode, string? Status, double Load, long ConfigVersion, NodeStats? Stats, Dictionary<string, long>? RuleHits,
    List<NodeEvent>? Events = null);

/// <summary>A webhook event raised on a node, handed to the orchestrator in a heartbeat; <see cref="Id"/> makes a resent one recognisable.</summary>
public sealed record NodeEvent(string Id, string Event, DateTimeOffset Timestamp, System.Text.Json.JsonElement Data);
