using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// The rules at the start of phase 1 that read and write nothing but <c>TX</c> (the CRS's <c>crs-setup.conf</c> and
/// initialization: <c>SecAction setvar:tx.paranoia_level=1</c>, <c>SecRule &amp;TX:x "@eq 0" "setvar:tx.x=…"</c>): every
/// request starts with an empty <c>TX</c>, so they leave the same <c>TX</c> behind every time. A transaction runs them
/// for its first request and afterwards starts from what they left (<see cref="SetupState"/>), unless they logged,
/// disrupted or allowed.
/// </summary>
public static class SetupPrefix
{
    private static readonly int Tx = VariableNames.IdOf("TX");

    /// <summary>How many rules and markers at the start of <paramref name="phaseOne"/> depend on nothing but <c>TX</c>.</summary>
    public static int Length(SecLangRule[] phaseOne) => phaseOne.TakeWhile(r => r.IsMarker || OnlyTx(r)).Count();

    private static bool OnlyTx(SecLangRule rule) =>
        rule.Next is null && !rule.Actions.MultiMatch
        && rule.Targets.All(t => t.Id == Tx)
        && (rule.Operator is null || rule.Operator.Macros.All(OnlyTx))
        && rule.Actions.Runtime.All(a => a.SetVar is { Target.Parts: null } set && set.CollectionId == Tx && (set.Value is null || OnlyTx(set.Value)));

    private static bool OnlyTx(MacroText text) => text.Parts is null || text.Parts.All(p => p.Variable is null || p.Variable.Id == Tx);
}

/// <summary>What a <see cref="SetupPrefix"/> left: the <c>TX</c> members in order, the last match, and where phase 1 goes on.</summary>
internal sealed record SetupState(KeyValuePair<string, string>[] Tx, int[] TxSlots, string MatchedVar, VariableValue MatchedValue, SecLangRule? CurrentRule, int Resume);
