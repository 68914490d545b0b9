
namespace Edgeplane.Plugins.Waf;

/// <summary>
/// The plugin's settings (<c>Edgeplane:Plugins:waf</c>), bound as <c>IOptions&lt;WafOptions&gt;</c> and checked when the host
/// starts (<see cref="WafOptionsValidator"/>): a bad value fails the plugin naming its key.
/// </summary>
public sealed class WafOptions : SecLang.ISecLangSettings
{
    /// <summary>Load Debian's OWASP Core Rule Set (crs-setup.conf, its exclusion files and every rule file) into the SecLang engine.</summary>
    public bool CoreRuleSet { get; set; }
    /// <summary>More SecLang rule files (wildcards allowed in the last segment), loaded after the CRS.</summary>
    public string[] RuleFiles { get; set; } = [];
    /// <summary>The CRS's paranoia level (1–4) and anomaly score thresholds; they override crs-setup.conf.</summary>
    public int ParanoiaLevel { get; set; } = 1;
    public int InboundAnomalyThreshold { get; set; } = 5;
    public int OutboundAnomalyThreshold { get; set; } = 4;

    /// <summary><c>standalone</c> (default: orchestrator and node in one), <c>orchestrator</c> or <c>node</c>.</summary>
    public string Role { get; set; } = "standalone";
    /// <summary>This node's id as the orchestrator lists it.</summary>
    public string NodeId { get; set; } = "node-" + Environment.MachineName.ToLowerInvariant();
    /// <summary>Reported mode (<c>l7</c>: this engine inspects HTTP).</summary>
    public string Mode { get; set; } = "l7";
    /// <summary>Whether the default rule set is on when the active policy says nothing about it.</summary>
    public bool DefaultRuleSet { get; set; } = true;
    /// <summary>A MaxMind-format country database (<c>.mmdb</c>, e.g. GeoLite2-Country) for geo_block; preferred over <see cref="GeoIpCsv"/>.</summary>
    public string? GeoIpMmdb { get; set; }
    /// <summary>An IP-range-to-country CSV for geo_block (<c>cidr,country</c> or <c>first,last,country</c>).</summary>
    public string? GeoIpCsv { get; set; }
    /// <summary>How often the engine checks for configuration changes (database version or orchestrator).</summary>
    public double SyncIntervalSeconds { get; set; } = 1;
    /// <summary>A node missing heartbeats for this long is reported unhealthy.</summary>
    public int NodeHealthTimeoutSeconds { get; set; } = 15;
    /// <summary>At most one attack_detected event per source address and attack type, and one rule_triggered per rule, in this window.</summary>
    public int EventThrottleSeconds { get; set; } = 60;
    /// <summary>The plugin's data directory (<c>IPluginContext.DataDirectory</c>, <c>{Edgeplane:DataDirectory}/waf</c>), set by the plugin, not configured.</summary>
    public string DataDirectory { get; set; } = Path.GetTempPath();
    /// <summary>Also inspect requests to the host's own routes (middleware at the front of the host pipeline).</summary>
    public bool GuardHost { get; set; }
    /// <summary>Path prefixes the host guard leaves alone (the WAF's own API, whose bodies carry attack patterns).</summary>
    public string[] GuardHostExclude { get; set; } = ["/waf/"];
    public OrchestratorOptions Orchestrator { get; set; } = new();
    public WafProxyOptions Proxy { get; set; } = new();

    /// <summary>Orchestrator: refuse host API keys on the node protocol; only node credentials are accepted.</summary>
    public bool NodeCredentialsOnly { get; set; }

    public bool IsNode => Role.Equals("node", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether this host inspects traffic itself (the proxy listener or the host guard runs).</summary>
    public bool InspectsTraffic => GuardHost || (Proxy.Enabled && !string.IsNullOrEmpty(Proxy.Upstream));
}

public sealed class OrchestratorOptions
{
    /// <summary>The orchestrator's base URL including the plugin's mount, e.g. <c>http://127.0.0.1:5000/waf</c>.</summary>
    public string? Url { get; set; }
    /// <summary>The node's own credential from <c>POST /api/v1/nodes</c>, sent as <c>X-Waf-Node-Key</c> (preferred).</summary>
    public string? NodeKey { get; set; }
    /// <summary>Or an API key (operator role) sent as <c>X-SecBeat-API-Key</c>.</summary>
    public string? ApiKey { get; set; }
}
