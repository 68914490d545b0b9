using System.Text.RegularExpressions;
using Edgeplane.Plugins.Waf.Engine;
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

    private readonly Regex _regex;

    private RegexOperator(string parameter, Regex regex, IReadOnlyList<string>? required) : base("rx", parameter)
    {
        _regex = regex;
        RequiredLiterals = required;
    }

    /// <summary>Literals one of which every match contains (compared case-insensitively); null when the pattern has none.</summary>
    public IReadOnlyList<string>? RequiredLiterals { get; }

    /// <summary>True when the pattern runs on the backtracking engine (with <see cref="MatchTimeout"/>).</summary>
    public bool Backtracking => (_regex.Options & RegexOptions.NonBacktracking) == 0;

    /// <summary>Regex match timeouts so far (a timed-out match counts as a match: it fails closed).</summary>
    public static long Timeouts => Interlocked.Read(ref s_timeouts);
    private static long s_timeouts;

    public static RegexOperator Create(string pattern, string where)
    {
        var translated = PcreTranslator.Translate(pattern);
        Regex regex;
        try
        {
            regex = new Regex(translated, Common | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            regex = Backtrack(translated, pattern, where);
        }
        catch (ArgumentException e) when (e is not RegexParseException)
        {
            regex = Backtrack(translated, pattern, where);
        }
        catch (RegexParseException e)
        {
            throw new SecLangException($"{where}: the pattern does not compile: {e.Error} at offset {e.Offset}");
        }
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

    public override bool Match(IMatchContext context, string input)
    {
        try
        {
            if (!context.Capturing) return _regex.IsMatch(input);
            var match = _regex.Match(input);
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
