using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Matching;
using Edgeplane.Plugins.Waf.SecLang;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>Turns stored configuration into the snapshot the engine enforces.</summary>
public sealed class SnapshotBuilder(WafOptions options)
{
    private readonly RuleMatcher.CompilationCache _cache = new();
    private readonly Lock _lock = new();
    // the rule files are configuration of the process, loaded once: a rule that cannot load fails the plugin's start
    private readonly Lazy<SecLangInspector?> _secLang = new(() => SecLangInspector.Load(options));

    /// <summary>The configured SecLang rules (the CRS, <c>RuleFiles</c>), loaded on first use; null when none is configured.</summary>
    public SecLangInspector? SecLang => _secLang.Value;

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
            return new EngineSnapshot(matcher, blacklist, policy, config.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), _secLang.Value);
        }
    }
}
