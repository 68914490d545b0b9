using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>What the active policy makes the engine do.</summary>
public sealed record EffectivePolicy(string? Name, int? RateLimitPerSecond, IReadOnlySet<string> BlockedCountries, bool? DefaultRuleSet)
{
    public static EffectivePolicy None { get; } = new(null, null, new HashSet<string>(), null);

    public static EffectivePolicy From(string name, IReadOnlyList<PolicyRule> rules)
    {
        int? rate = null;
        var countries = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool? defaults = null;
        foreach (var rule in rules)
        {
            switch (rule.Type)
            {
                case "rate_limit":
                    rate = rate is null ? rule.Value : Math.Min(rate.Value, rule.Value!.Value);
                    break;
                case "geo_block":
                    countries.UnionWith(rule.Countries!.Select(c => c.ToUpperInvariant()));
                    break;
                case "rule_set":
                    defaults = rule.Enabled ?? true;
                    break;
            }
        }
        return new EffectivePolicy(name, rate, countries, defaults);
    }

    public static readonly string[] RuleSets = [DefaultRules.SetName];

    /// <summary>Field errors for a policy's rules (keys like <c>rules[0].value</c>).</summary>
    public static Dictionary<string, string[]> Validate(IReadOnlyList<PolicyRule>? rules)
    {
        var errors = new Dictionary<string, string[]>();
        if (rules is null)
        {
            errors["rules"] = ["is required"];
            return errors;
        }
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (rule is null) { errors[at] = ["must be an object"]; continue; }
            switch (rule.Type)
            {
                case "rate_limit":
                    if (rule.Value is not (>= 1 and <= 10_000_000)) errors[at + ".value"] = ["must be a number of requests per second between 1 and 10000000"];
                    break;
                case "geo_block":
                    if (rule.Countries is not { Length: > 0 } || rule.Countries.Any(c => c is null || c.Length != 2 || !c.All(char.IsAsciiLetter)))
                        errors[at + ".countries"] = ["must be a non-empty list of two-letter country codes"];
                    break;
                case "rule_set":
                    if (rule.Name is null || !RuleSets.Contains(rule.Name)) errors[at + ".name"] = [$"must name a rule set: {string.Join(", ", RuleSets)}"];
                    break;
                default:
                    errors[at + ".type"] = ["must be one of rate_limit, geo_block, rule_set"];
                    break;
            }
        }
        return errors;
    }
}
