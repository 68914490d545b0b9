using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.Matching;
using Edgeplane.Plugins.Waf.SecLang.Actions;
using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary>
/// <c>@rx</c>: PCRE semantics of ModSecurity (dot matches newlines, multi-line anchors) on .NET's linear-time
/// engine whenever the pattern allows it, otherwise backtracking with a match timeout (reported in the rule list).
/// The literals every match contains (<see cref="RequiredLiterals"/>) are the rule set's prefilter (<see cref="LiteralIndex"/>).
/// </summary>
public sealed class RegexOperator : SecOperator
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);
    /// <summary>At most this many literals in a rule's prefilter (the CRS's keyword alternations have dozens).</summary>
    private const int PrefilterLiterals = 128;
    private const RegexOptions Common = RegexOptions.Singleline | RegexOptions.Multiline | RegexOptions.CultureInvariant;

    /// <summary>At most this many expansions of a pattern with macros are kept compiled (the values come from the requests).</summary>
    private const int KeptExpansions = 64;

    /// <summary>Null when the pattern has macros (<c>^%{tx.allowed_charsets}$</c>): it is compiled when it runs, as expanded then.</summary>
    private readonly Regex? _regex;
    private readonly MacroText _pattern;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex?> _expansions = new(StringComparer.Ordinal);

    private RegexOperator(string parameter, Regex? regex, IReadOnlyList<string>? required) : base("rx", parameter)
    {
        _regex = regex;
        _pattern = MacroText.Parse(parameter);
        RequiredLiterals = required;
    }

    public override IReadOnlyList<string>? RequiredLiterals { get; }

    /// <summary>True when the pattern runs on the backtracking engine (with <see cref="MatchTimeout"/>).</summary>
    public bool Backtracking => _regex is { } regex && (regex.Options & RegexOptions.NonBacktracking) == 0;

    /// <summary>Regex match timeouts so far (a timed-out match counts as a match: it fails closed).</summary>
    public static long Timeouts => Interlocked.Read(ref s_timeouts);
    private static long s_timeouts;

    public static RegexOperator Create(string pattern, string where)
    {
        // ModSecurity expands macros in the pattern when the rule runs (CRS 920480); no literals are known before
        if (pattern.Contains("%{", StringComparison.Ordinal)) return new RegexOperator(pattern, null, null);
        var translated = PcreTranslator.Translate(pattern);
        var regex = Compile(translated, pattern, where);
        IReadOnlyList<string>? literals = null;
        try
        {
            literals = LiteralExtractor.Extract(translated, minLength: 1, maxSetSize: PrefilterLiterals);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException)
        {
            // no prefilter for this rule: its regex runs on every value
        }
        // a set with a single letter or digit lets nearly every value through, and would stop the shared search at every character
        if (literals is not null && literals.Any(l => l.Length == 1 && char.IsAsciiLetterOrDigit(l[0]))) literals = null;
        return new RegexOperator(pattern, regex, literals is { Count: > 0 } ? literals : null);
    }

    private static Regex Compile(string translated, string pattern, string where)
    {
        try
        {
            return new Regex(translated, Common | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return Backtrack(translated, pattern, where);
        }
        catch (ArgumentException e) when (e is not RegexParseException)
        {
            return Backtrack(translated, pattern, where);
        }
        catch (RegexParseException e)
        {
            throw new SecLangException($"{where}: the pattern does not compile: {e.Error} at offset {e.Offset}");
        }
    }

    private static Regex Backtrack(string translated, string pattern, string where)
    {
        try
        {
            return new Regex(translated, Common, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new SecLangException($"{where}: the pattern does not compile: {e.Message} ({pattern})");
        }
    }

    /// <summary>The pattern as its macros expand now; null (no match) when that does not compile.</summary>
    private Regex? Expanded(IMatchContext context)
    {
        var pattern = context.Expand(_pattern);
        if (_expansions.TryGetValue(pattern, out var cached)) return cached;
        Regex? regex;
        try
        {
            regex = Compile(PcreTranslator.Translate(pattern), pattern, "@rx");
        }
        catch (Exception e) when (e is SecLangException or ArgumentException)
        {
            regex = null;
        }
        if (_expansions.Count < KeptExpansions) _expansions.TryAdd(pattern, regex);
        return regex;
    }

    public override IEnumerable<MacroText> Macros => [_pattern];

    public override bool Match(IMatchContext context, string input)
    {
        var regex = _regex ?? Expanded(context);
        if (regex is null) return false;
        try
        {
            if (!context.Capturing) return regex.IsMatch(input);
            var match = regex.Match(input);
            if (!match.Success) return false;
            for (var i = 0; i < Math.Min(match.Groups.Count, 10); i++) context.SetCapture(i, match.Groups[i].Value);
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            Interlocked.Increment(ref s_timeouts);
            return true;
        }
    }
}
