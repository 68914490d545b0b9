using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Operators;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// What the rule loop needs to pass over a rule without reading the rule itself, kept in one array per phase: the
/// rules' objects are spread over the heap (each beside its own regex), so reading them costs a cache miss or more
/// per rule, while most rules of most requests are decided by their prefilter, or by one number, alone.
/// </summary>
/// <param name="IsMarker">A <c>SecMarker</c>: nothing to run.</param>
/// <param name="ValueSet">The rule's <see cref="SecLangRule.ValueSet"/>: a rule cannot match an empty one.</param>
/// <param name="PrefilterSlot">
/// The rule's <see cref="SecLangRule.PrefilterSlot"/> when it decides the rule: a rule that reads a value set and is
/// not negated cannot match when none of the set's values contains one of its literals; -1 otherwise.
/// </param>
/// <param name="Member">When the rule compares one named member (or the count of its members) with a constant number.</param>
/// <param name="StableValues">The rule's <see cref="SecLangRule.StableValues"/>: its value set, once collected, holds for the whole request.</param>
/// <param name="Members">
/// When every target of the rule names one member of a collection (<c>REQUEST_HEADERS:Content-Length</c>,
/// <c>TX:high_risk_country_codes</c>; no counts, no selectors): the rule has nothing to test, and cannot match, while
/// none of them is there.
/// </param>
public readonly record struct RuleStep(bool IsMarker, int ValueSet, int PrefilterSlot, MemberComparison Member, bool StableValues, NamedMember[]? Members)
{
    public static RuleStep Of(SecLangRule rule) =>
        new(rule.IsMarker, rule.ValueSet, rule.IsMarker || rule.ValueSet < 0 || rule.Negated ? -1 : rule.PrefilterSlot, MemberComparison.Of(rule), rule.StableValues,
            NamedMember.AllOf(rule));
}

/// <summary>One named member a rule reads: its collection's number, the name's slot and the name.</summary>
public readonly record struct NamedMember(int Collection, int Slot, string Key)
{
    /// <summary>The members a rule's targets name, when each target names one member of a collection; null otherwise.</summary>
    public static NamedMember[]? AllOf(SecLangRule rule) =>
        !rule.IsMarker && rule.Targets.Count > 0 && rule.Targets.All(t => t is { Exclude: false, Count: false, Key: not null, KeyPattern: null } && t.Id > VariableNames.TimeEpoch)
            ? [.. rule.Targets.Select(t => new NamedMember(t.Id, t.Slot, t.Key!))]
            : null;
}

/// <summary>
/// A rule such as <c>SecRule TX:EXECUTING_PARANOIA_LEVEL "@lt 2"</c> or <c>SecRule &amp;TX:x "@eq 0"</c> (one named member,
/// no transformations, <c>@eq @ge @gt @le @lt</c> with a number): whether it matches the member's value (or count)
/// when it is below, equal to or above <see cref="Constant"/>, negation included. <see cref="Collection"/> -1: not such a rule.
/// <see cref="OnlySkips"/>: when it matches, the rule does nothing but skip (<c>pass,nolog,skipAfter:…</c>, no other
/// action, no chain), as the CRS's paranoia-level rules do. <see cref="OrValue"/>: the rule reads the count and then the
/// member itself (<c>&amp;TX:crs_exclusions_drupal|TX:crs_exclusions_drupal "@eq 0"</c>, the CRS's exclusion packages).
/// </summary>
public readonly record struct MemberComparison(int Collection, string Name, int Slot, string? Key, bool Count, long Constant,
    bool WhenBelow, bool WhenEqual, bool WhenAbove, bool OnlySkips, bool OrValue = false)
{
    public static MemberComparison None { get; } = new(-1, "", -1, null, false, 0, false, false, false, false);

    public static MemberComparison Of(SecLangRule rule)
    {
        if (rule.IsMarker || rule.Transformations.Length > 0 || rule.Actions.MultiMatch
            || rule.Operator is not NumericOperator { Constant: { } constant } numeric) return None;
        var orValue = rule.OneMember is null && CountThenValue(rule.Targets);
        if ((rule.OneMember ?? (orValue ? rule.Targets[0] : null)) is not { } member) return None;
        var onlySkips = rule.Next is null && !rule.Log && rule.Disruptive is Disruptive.None or Disruptive.Pass
            && rule.Actions.Runtime.Count == 0 && rule.Actions.SkipAfter is not null;
        return new(member.Id, member.Collection, member.Slot, member.Key, member.Count, constant,
            numeric.Test(-1) ^ rule.Negated, numeric.Test(0) ^ rule.Negated, numeric.Test(1) ^ rule.Negated, onlySkips, orValue);
    }

    /// <summary><c>&amp;C:key|C:key</c>: the count of one named member, then the member.</summary>
    private static bool CountThenValue(List<VariableSpec> targets) =>
        targets is [{ Count: true, Exclude: false, Key: { } key, KeyPattern: null } count, { Count: false, Exclude: false, Key: { } same, KeyPattern: null } value]
        && count.Id == value.Id && count.Id > VariableNames.TimeEpoch && key.Equals(same, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the rule matches a member whose value (or count) reads as <paramref name="number"/>.</summary>
    public bool Matches(long number) => number.CompareTo(Constant) switch { < 0 => WhenBelow, 0 => WhenEqual, _ => WhenAbove };
}
