using System.Globalization;
using Edgeplane.Plugins.Waf.SecLang.Actions;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

public enum StringTest
{
    Within,
    Contains,
    ContainsWord,
    BeginsWith,
    EndsWith,
    Equal,
}

/// <summary>Case-sensitive string comparisons with a macro-expanded parameter (<c>@within %{tx.allowed_methods}</c>).</summary>
public sealed class StringOperator(string name, string parameter, StringTest test) : SecOperator(name, parameter)
{
    private readonly MacroText _parameter = MacroText.Parse(parameter);

    public override IEnumerable<MacroText> Macros => [_parameter];

    public override bool Match(IMatchContext context, string input)
    {
        var p = context.Expand(_parameter);
        var matched = test switch
        {
            // as in ModSecurity, an empty value is "within" any list
            StringTest.Within => p.Contains(input, StringComparison.Ordinal),
            StringTest.Contains => input.Contains(p, StringComparison.Ordinal),
            StringTest.ContainsWord => ContainsWord(input, p),
            StringTest.BeginsWith => input.StartsWith(p, StringComparison.Ordinal),
            StringTest.EndsWith => input.EndsWith(p, StringComparison.Ordinal),
            _ => input.Equals(p, StringComparison.Ordinal),
        };
        if (matched && context.Capturing) context.SetCapture(0, test == StringTest.Within ? input : p);
        return matched;
    }

    private static bool ContainsWord(string input, string word)
    {
        if (word.Length == 0) return true;
        for (var at = input.IndexOf(word, StringComparison.Ordinal); at >= 0; at = input.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsAsciiLetterOrDigit(input[at - 1]) && input[at - 1] != '_';
            var end = at + word.Length;
            var after = end == input.Length || !char.IsAsciiLetterOrDigit(input[end]) && input[end] != '_';
            if (before && after) return true;
        }
        return false;
    }
}

/// <summary><c>@eq @ge @gt @le @lt</c>: both sides read as integers the way C's <c>atoi</c> does (no number is 0).</summary>
public sealed class NumericOperator(string name, string parameter, Func<int, bool> test) : SecOperator(name, parameter)
{
    private readonly MacroText _parameter = MacroText.Parse(parameter);
    /// <summary>The parameter's number when it has no macros.</summary>
    private readonly long _constant = ToInt(parameter);

    public override IEnumerable<MacroText> Macros => [_parameter];

    /// <summary>The parameter's number when it has no macros; null otherwise.</summary>
    public long? Constant => _parameter.Parts is null ? _constant : null;

    /// <summary>Whether a value that compares with the parameter as <paramref name="comparison"/> (-1, 0, 1) matches.</summary>
    public bool Test(int comparison) => test(comparison);

    public override bool Match(IMatchContext context, string input) =>
        test(ToInt(input).CompareTo(_parameter.Parts is null ? _constant : ToInt(context.Expand(_parameter))));

    public static long ToInt(string s)
    {
        var i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        var start = i;
        if (i < s.Length && s[i] is '-' or '+') i++;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 18) i++;
        return long.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }
}

/// <summary><c>@unconditionalMatch</c> and <c>@noMatch</c> (and the operators this engine never matches: <c>@rbl</c>, <c>@geoLookup</c>).</summary>
public sealed class ConstantOperator(string name, bool result) : SecOperator(name, "")
{
    public override bool Match(IMatchContext context, string input) => result;
}
