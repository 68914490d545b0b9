using System.Buffers;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary><c>@pm</c> / <c>@pmFromFile</c>: any of the phrases occurs in the value, compared case-insensitively (one vectorized multi-string search).</summary>
public sealed class PhraseMatchOperator(string name, string parameter, IReadOnlyList<string> phrases) : SecOperator(name, parameter)
{
    private readonly SearchValues<string> _phrases = SearchValues.Create([.. phrases.Distinct(StringComparer.OrdinalIgnoreCase)], StringComparison.OrdinalIgnoreCase);
    private readonly string[] _list = [.. phrases];

    /// <summary>The phrases: a value that contains none of them does not match (the rule set's prefilter decides that for all rules at once).</summary>
    public override IReadOnlyList<string>? RequiredLiterals => _list;

    public override bool Match(IMatchContext context, string input)
    {
        var at = input.AsSpan().IndexOfAny(_phrases);
        if (at < 0) return false;
        if (context.Capturing)
        {
            var found = _list.Where(p => string.Compare(input, at, p, 0, p.Length, StringComparison.OrdinalIgnoreCase) == 0 && at + p.Length <= input.Length).MaxBy(p => p.Length);
            context.SetCapture(0, found ?? "");
        }
        return true;
    }
}
