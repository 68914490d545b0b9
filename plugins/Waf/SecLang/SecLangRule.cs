using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Operators;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// One <c>SecRule</c>, <c>SecAction</c> (no targets, always matches) or <c>SecMarker</c>; a chain is the first rule
/// with the following ones in <see cref="Next"/>. Disruptive actions and defaults are resolved when the set is built.
/// </summary>
public sealed class SecLangRule
{
    public int Id { get; init; }
    public int Phase { get; set; }
    public string? Marker { get; init; }
    public List<VariableSpec> Targets { get; init; } = [];
    /// <summary>The targets that exclude (<c>!ARGS:password</c>), set when the rule set is built (targets change while loading).</summary>
    public VariableSpec[] Exclusions { get; private set; } = [];
    /// <summary>This rule's place in the rule set's <see cref="LiteralIndex"/> when its regex has required literals; -1 otherwise.</summary>
    public int PrefilterSlot { get; internal set; } = -1;
    /// <summary>
    /// The rule set's number for this rule's targets and transformations when the values they give cannot change
    /// within a phase (no <c>TX</c>, <c>MATCHED_VAR</c>, …): rules with the same ones share the transformed values,
    /// collected once per phase. -1 otherwise.
    /// </summary>
    public int ValueSet { get; internal set; } = -1;
    /// <summary>The rule set's number for this rule's targets when it has a <see cref="ValueSet"/>: value sets with the same targets read them once per phase.</summary>
    public int TargetSet { get; internal set; } = -1;
    /// <summary>
    /// Whether this rule's <see cref="ValueSet"/> reads only what is known before the first phase and never changes (the
    /// request line, its headers and cookies, the query's arguments): collected once per request instead of once per phase.
    /// </summary>
    public bool StableValues { get; internal set; }
    public SecOperator? Operator { get; init; }
    public bool Negated { get; init; }
    public required RuleActions Actions { get; init; }
    /// <summary>The effective transformations (defaults, then the rule's, after the last <c>none</c>).</summary>
    public Func<string, string>[] Transformations { get; set; } = [];
    /// <summary>Identifies the transformation list, for the per-transaction cache of transformed values.</summary>
    public string TransformationKey { get; set; } = "";
    /// <summary>The disruptive action after <c>SecDefaultAction</c> (<c>block</c> resolved).</summary>
    public Disruptive Disruptive { get; set; }
    public bool Log { get; set; } = true;
    public SecLangRule? Next { get; set; }
    public required string File { get; init; }
    public int Line { get; init; }

    public bool IsMarker => Marker is not null;

    /// <summary>Fixes what evaluation reads from the final targets, for this rule and its chain.</summary>
    internal void Complete()
    {
        foreach (var link in Chain())
        {
            link.Exclusions = [.. link.Targets.Where(t => t.Exclude)];
            link.OneMember = link.Targets is [{ Exclude: false, Key: not null, KeyPattern: null } one] && one.Id > VariableNames.TimeEpoch && !link.Actions.MultiMatch ? one : null;
        }
    }

    /// <summary>
    /// The target when the rule reads one named member of a collection and nothing else (<c>TX:paranoia_level</c>,
    /// <c>&amp;TX:x</c>): the transaction reads it without collecting a list of values.
    /// </summary>
    public VariableSpec? OneMember { get; private set; }

    public IEnumerable<SecLangRule> Chain()
    {
        for (var r = this; r is not null; r = r.Next) yield return r;
    }

    /// <summary>Whether a regex of this rule (or its chain) runs on the backtracking engine, with a match timeout.</summary>
    public bool Backtracking => Chain().Any(r => r.Operator is RegexOperator { Backtracking: true });

    public override string ToString() => IsMarker ? $"SecMarker {Marker}" : $"{Id} {string.Join('|', Targets)} {(Negated ? "!" : "")}{Operator}";
}
