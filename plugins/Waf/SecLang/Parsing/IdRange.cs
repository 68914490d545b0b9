namespace Edgeplane.Plugins.Waf.SecLang.Parsing;

/// <summary>A rule id or a range of them (<c>942100</c>, <c>942100-942199</c>).</summary>
public static class IdRange
{
    public static (int From, int To) Parse(string text, string where)
    {
        var dash = text.IndexOf('-', 1);
        if (dash < 0) return int.TryParse(text, out var id) ? (id, id) : throw new SecLangException($"{where}: '{text}' is not a rule id");
        return int.TryParse(text[..dash], out var from) && int.TryParse(text[(dash + 1)..], out var to) && from <= to
            ? (from, to)
            : throw new SecLangException($"{where}: '{text}' is not a range of rule ids");
    }
}
