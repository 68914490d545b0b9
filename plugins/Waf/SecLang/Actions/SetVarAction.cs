using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang.Actions;

/// <summary>
/// <c>setvar:tx.score=+%{tx.critical_anomaly_score}</c>, <c>setvar:!tx.x</c>, <c>setvar:tx.flag</c>, parsed when the
/// rule loads: the target collection and key (resolved then unless they contain macros) and the value's macros.
/// </summary>
public sealed class SetVarAction
{
    private SetVarAction(bool remove, MacroText target, MacroText? value)
    {
        Remove = remove;
        Target = target;
        Value = value;
        if (target.Parts is null) (CollectionId, Key) = Resolve(target.Text);
    }

    public bool Remove { get; }
    /// <summary>The target (<c>tx.score</c>) as written; it is resolved when the rule runs only when it has macros.</summary>
    public MacroText Target { get; }
    /// <summary>What is assigned (a leading <c>+n</c> or <c>-n</c> after expansion adds or subtracts); null means <c>1</c>.</summary>
    public MacroText? Value { get; }
    /// <summary>The writable collection's number, for a target without macros; -1 when it names none (the action does nothing).</summary>
    public int CollectionId { get; } = -1;
    public string Key { get; } = "";
    /// <summary>The rule set's number for <see cref="Key"/> (<see cref="MemberSlots"/>); -1 when it has none.</summary>
    public int Slot { get; internal set; } = -1;

    public static SetVarAction Parse(string text)
    {
        var spec = text.Trim();
        var remove = spec.StartsWith('!');
        if (remove) spec = spec[1..];
        var eq = spec.IndexOf('=');
        return new SetVarAction(remove, MacroText.Parse(eq < 0 ? spec : spec[..eq]), eq < 0 ? null : MacroText.Parse(spec[(eq + 1)..]));
    }

    /// <summary>The collection and key of an expanded target (<c>tx.score</c>); -1 when it is not a writable collection's member.</summary>
    public static (int CollectionId, string Key) Resolve(string target)
    {
        target = target.Trim();
        var dot = target.IndexOf('.');
        if (dot <= 0) return (-1, "");
        var collection = target[..dot].ToUpperInvariant();
        return VariableNames.IsWritable(collection) ? (VariableNames.IdOf(collection), target[(dot + 1)..]) : (-1, "");
    }
}
