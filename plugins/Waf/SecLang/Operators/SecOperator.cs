using Edgeplane.Plugins.Waf.SecLang.Actions;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary>What an operator may ask of the transaction it runs in.</summary>
public interface IMatchContext
{
    /// <summary>Expands macros (<c>%{tx.allowed_methods}</c>) in an operator's parameter.</summary>
    string Expand(MacroText text);
    /// <summary>Whether the rule has the <c>capture</c> action (TX:0–9 receive the match and its groups).</summary>
    bool Capturing { get; }
    void SetCapture(int index, string value);
}

/// <summary>An operator (<c>@rx</c>, <c>@pm</c>, …) applied to one transformed value.</summary>
public abstract class SecOperator(string name, string parameter)
{
    public string Name { get; } = name;
    public string Parameter { get; } = parameter;

    public abstract bool Match(IMatchContext context, string input);

    /// <summary>
    /// Literals one of which every match contains, compared case-insensitively (the rule set's prefilter,
    /// <see cref="LiteralIndex"/>); null when the operator has none.
    /// </summary>
    public virtual IReadOnlyList<string>? RequiredLiterals => null;

    /// <summary>The texts with macros this operator expands when it runs (its parameter or pattern).</summary>
    public virtual IEnumerable<MacroText> Macros => [];

    public override string ToString() => "@" + Name + (Parameter.Length > 0 ? " " + Parameter : "");
}
