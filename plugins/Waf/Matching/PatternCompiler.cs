using System.Text.RegularExpressions;

namespace Edgeplane.Plugins.Waf.Matching;

/// <summary>
/// Compiles rule patterns with .NET's linear-time engine (<see cref="RegexOptions.NonBacktracking"/>).
/// A pattern that needs backtracking (back-references, lookarounds, atomic groups, conditionals)
/// or whose automaton would be too large is rejected with a message naming the problem.
/// </summary>
public static class PatternCompiler
{
    public const int MaxPatternLength = 4096;

    /// <summary>
    /// The most automaton positions a rule's counted repetitions may create (<see cref="PatternCost"/>): up to
    /// 2^12 states, which the engine keeps cached, so a rule scans a 64 KiB body in well under a millisecond of
    /// CPU once warm; past the cache it simulates every position for every character (<c>x.{1,20}y</c> ≈ 9 ms).
    /// </summary>
    public const int MaxRepeatPositions = 12;
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public static Regex Compile(string pattern) => new(pattern, Options);

    /// <summary>Null when the pattern compiles; otherwise why it does not.</summary>
    public static string? Validate(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern)) return "is required";
        if (pattern.Length > MaxPatternLength) return $"must be at most {MaxPatternLength} characters";
        try
        {
            var regex = Compile(pattern);
            if (regex.IsMatch(string.Empty)) return "matches the empty string, so it would match every request";
            var cost = PatternCost.RepeatPositions(pattern);
            if (cost > MaxRepeatPositions)
                return $"is too costly to inspect with: its counted repetitions ({{m,n}}) expand to {cost} automaton positions and the limit is {MaxRepeatPositions} " +
                    "per rule, which keeps the inspection of a 64 KiB body within its CPU budget; use a smaller count or an unbounded repetition (+, *)";
            return null;
        }
        catch (RegexParseException e)
        {
            return $"is not a valid regular expression: {e.Error} at offset {e.Offset}";
        }
        catch (NotSupportedException e)
        {
            return "cannot run in linear time (RegexOptions.NonBacktracking): " + e.Message;
        }
        catch (ArgumentException e)
        {
            return "is not a valid regular expression: " + e.Message;
        }
    }
}
