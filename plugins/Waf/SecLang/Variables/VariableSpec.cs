using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>
/// One target of a rule: a collection (<c>ARGS</c>), optionally one member (<c>ARGS:id</c>) or the members whose
/// name matches a regex (<c>ARGS:/^user_/</c>); counted (<c>&amp;ARGS</c>) or excluded (<c>!ARGS:password</c>).
/// Member names compare case-insensitively, as in ModSecurity.
/// </summary>
public sealed record VariableSpec(string Collection, string? Key, Regex? KeyPattern, bool Count, bool Exclude)
{
    /// <summary>The variable's number (<see cref="VariableNames.IdOf"/>).</summary>
    public int Id { get; } = VariableNames.IdOf(Collection);

    /// <summary>The rule set's number for <see cref="Key"/> (<see cref="MemberSlots"/>); -1 when it has none.</summary>
    public int Slot { get; internal set; } = -1;

    /// <summary>For a <see cref="KeyPattern"/>: whether it selects the name of each slot of the rule set (matched when it loads).</summary>
    internal bool[]? SelectsSlot { get; set; }

    public bool Selects(string key) =>
        KeyPattern is not null ? KeyPattern.IsMatch(key) : Key is null || Key.Equals(key, StringComparison.OrdinalIgnoreCase);

    /// <summary>As <see cref="Selects(string)"/>, for a member whose name has the slot given (-1: none).</summary>
    public bool Selects(string key, int slot) =>
        SelectsSlot is { } selected && slot >= 0 && slot < selected.Length ? selected[slot] : Selects(key);

    public override string ToString() =>
        (Exclude ? "!" : "") + (Count ? "&" : "") + Collection + (KeyPattern is not null ? ":/" + KeyPattern + "/" : Key is not null ? ":" + Key : "");

    /// <summary>Parses <c>ARGS|!ARGS:/^x/|&amp;TX:y|XML:/*</c>; a <c>|</c> inside a <c>/…/</c> selector does not split.</summary>
    public static List<VariableSpec> ParseList(string text, string where)
    {
        var result = new List<VariableSpec>();
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var colon = -1;
            var inRegex = false;
            while (i < text.Length)
            {
                var c = text[i];
                if (colon < 0 && c == ':') { colon = i; if (i + 1 < text.Length && text[i + 1] == '/' && !IsXml(text[start..colon])) { inRegex = true; i += 2; continue; } }
                else if (inRegex && c == '\\') { i += 2; continue; }
                else if (inRegex && c == '/') inRegex = false;
                else if (!inRegex && c == '|') break;
                i++;
            }
            result.Add(Parse(text[start..Math.Min(i, text.Length)].Trim(), where));
            i++;
        }
        return result;
    }

    private static bool IsXml(string name) => name.TrimStart('!', '&').Equals("XML", StringComparison.OrdinalIgnoreCase);

    public static VariableSpec Parse(string text, string where)
    {
        var exclude = false;
        var count = false;
        var i = 0;
        for (; i < text.Length && text[i] is '!' or '&'; i++)
        {
            if (text[i] == '!') exclude = true;
            else count = true;
        }
        var rest = text[i..];
        var colon = rest.IndexOf(':');
        var collection = (colon < 0 ? rest : rest[..colon]).Trim().ToUpperInvariant();
        if (collection.Length == 0) throw new SecLangException($"{where}: empty variable in '{text}'");
        if (!VariableNames.IsKnown(collection)) throw new SecLangException($"{where}: unknown variable '{collection}'");
        if (colon < 0) return new VariableSpec(collection, null, null, count, exclude);
        var selector = rest[(colon + 1)..].Trim();
        if (selector.Length >= 2 && selector[0] == '\'' && selector[^1] == '\'') selector = selector[1..^1];
        if (collection != "XML" && selector.Length >= 2 && selector[0] == '/' && selector[^1] == '/')
        {
            try
            {
                return new VariableSpec(collection, null, new Regex(selector[1..^1], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), count, exclude);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                return new VariableSpec(collection, null, new Regex(selector[1..^1], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), count, exclude);
            }
        }
        return new VariableSpec(collection, selector, null, count, exclude);
    }
}
