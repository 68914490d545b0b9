using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>Turns stored configuration into the snapshot the engine enforces.</summary>
public sealed class SnapshotBuilder(WafOptions options)
{
    private readonly RuleMatcher.CompilationCache _cache = new();
    private readonly Lock _lock = new();

    public bool DefaultRuleSetEnabled(WafConfig config) =>
        (config.Policy is null ? null : EffectivePolicy.From(config.Policy.Name, config.Policy.Rules).DefaultRuleSet) ?? options.DefaultRuleSet;

    public EngineSnapshot Build(WafConfig config)
    {
        var policy = config.Policy is null ? EffectivePolicy.None : EffectivePolicy.From(config.Policy.Name, config.Policy.Rules);
        var rules = new List<WafRule>();
        if (policy.DefaultRuleSet ?? options.DefaultRuleSet)
        {
            var disabled = config.DefaultRules.Where(d => d.Enabled == 0).Select(d => d.RuleId).ToHashSet();
            rules.AddRange(DefaultRules.All.Where(r => !disabled.Contains(r.Id)));
        }
        rules.AddRange(config.Rules.Select(r => r.ToRule()));
        var blacklist = new IpBlacklist(config.Blacklist.Select(b => b.ToEntry()).OfType<BlacklistEntry>());
        lock (_lock)
        {
            var matcher = new RuleMatcher(rules, _cache);
            // A host that inspects traffic compiles before the snapshot is applied, so no request waits for it;
            // one that only manages rules (an orchestrator, say) never pays for them.
            if (options.InspectsTraffic) matcher.Compile();
            return new EngineSnapshot(matcher, blacklist, policy, config.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
