using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang.Actions;

/// <summary>
/// A text with macros (<c>%{tx.score}</c>, <c>%{MATCHED_VAR}</c>), split once when the rule loads into literal parts
/// and variable references, so that expanding it when the rule runs parses nothing.
/// </summary>
public sealed class MacroText
{
    private MacroText(string text, MacroPart[]? parts)
    {
        Text = text;
        Parts = parts;
    }

    public string Text { get; }
    /// <summary>Null when the text has no macro (it expands to itself).</summary>
    public MacroPart[]? Parts { get; }

    public static MacroText Parse(string text)
    {
        var start = text.IndexOf("%{", StringComparison.Ordinal);
        if (start < 0) return new MacroText(text, null);
        var parts = new List<MacroPart>();
        var i = 0;
        while (start >= 0)
        {
            var end = text.IndexOf('}', start + 2);
            if (end < 0) break;
            if (start > i) parts.Add(MacroPart.Literal(text[i..start]));
            parts.Add(MacroPart.Reference(text[(start + 2)..end]));
            i = end + 1;
            start = text.IndexOf("%{", i, StringComparison.Ordinal);
        }
        if (i < text.Length) parts.Add(MacroPart.Literal(text[i..]));
        return new MacroText(text, [.. parts]);
    }

    public override string ToString() => Text;
}

/// <summary>
/// A literal piece of a <see cref="MacroText"/>, or a reference to a variable: <c>tx.score</c> (a collection's member,
/// <c>.</c> or <c>:</c> before the key) or <c>MATCHED_VAR</c>. An unknown variable expands to nothing.
/// </summary>
public sealed class MacroPart
{
    private MacroPart(string? text, VariableSpec? variable)
    {
        Text = text;
        Variable = variable;
    }

    /// <summary>The literal text; null for a reference.</summary>
    public string? Text { get; }
    /// <summary>The variable referenced; null for a literal or an unknown variable.</summary>
    public VariableSpec? Variable { get; }

    public static MacroPart Literal(string text) => new(text, null);

    public static MacroPart Reference(string name)
    {
        var separator = name.IndexOfAny(['.', ':']);
        var collection = (separator < 0 ? name : name[..separator]).ToUpperInvariant();
        if (!VariableNames.IsKnown(collection)) return new MacroPart(null, null);
        return new MacroPart(null, new VariableSpec(collection, separator < 0 ? null : name[(separator + 1)..], null, false, false));
    }
}
