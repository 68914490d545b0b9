using System.Text.RegularExpressions;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// Compiles rule patterns with .NET's linear-time engine (<see cref="RegexOptions.NonBacktracking"/>).
/// A pattern that needs backtracking (back-references, lookarounds, atomic groups, conditionals)
/// or whose automaton would be too large is rejected with a message naming the problem.
/// </summary>
public static class PatternCompiler
{
    public const int MaxPatternLength = 4096;
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
