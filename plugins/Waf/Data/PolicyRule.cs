namespace Edgeplane.Plugins.Waf.Data;

/// <summary>One entry of a policy's <c>rules</c> array, as the seed writes it.</summary>
public sealed record PolicyRule
{
    /// <summary><c>rate_limit</c>, <c>geo_block</c> or <c>rule_set</c>.</summary>
    public string? Type { get; init; }
    /// <summary>rate_limit: requests per second per client address.</summary>
    public int? Value { get; init; }
    /// <summary>geo_block: ISO 3166-1 alpha-2 codes.</summary>
    public string[]? Countries { get; init; }
    /// <summary>rule_set: the rule set's name (<c>default</c>).</summary>
    public string? Name { get; init; }
    /// <summary>rule_set: whether it is on (default true).</summary>
    public bool? Enabled { get; init; }
}
