using System.Text;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// A body cut at the inspection limit has no end in the inspected text: its last inspected character is
/// followed by bytes nobody looked at. Rules run on such a text in a variant in which every end anchor
/// (<c>$</c>, also in multiline mode, <c>\z</c>, <c>\Z</c>) can never match, so <c>^(a+)+$</c> does not
/// match <c>aaa…</c> cut before its final <c>b</c>.
/// </summary>
public static class EndAnchors
{
    /// <summary>A character class of no character: a construct that matches nothing, unlike lookarounds valid under NonBacktracking.</summary>
    private const string Never = @"[^\s\S]";

    /// <summary>The pattern with its end anchors replaced by <see cref="Never"/>, or null when it has none.</summary>
    public static string? NeverAtEnd(string pattern)
    {
        StringBuilder? result = null;
        var classDepth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            string? replacement = null;
            var length = 1;
            if (c == '\\' && i + 1 < pattern.Length)
            {
                length = 2;
                if (classDepth == 0 && pattern[i + 1] is 'z' or 'Z') replacement = Never;
            }
            else if (classDepth > 0)
            {
                if (c == '[' && pattern[i - 1] == '-') classDepth++; // .NET class subtraction: [a-z-[aeiou]]
                else if (c == ']' && !ClassJustOpened(pattern, i)) classDepth--;
            }
            else if (c == '[') classDepth = 1;
            else if (c == '$') replacement = Never;

            if (replacement is not null) (result ??= new StringBuilder(pattern, 0, i, pattern.Length + 16)).Append(replacement);
            else result?.Append(pattern, i, length);
            i += length - 1;
        }
        return result?.ToString();
    }

    /// <summary>A <c>]</c> right after <c>[</c> or <c>[^</c> is a literal member of the class.</summary>
    private static bool ClassJustOpened(string pattern, int at) =>
        pattern[at - 1] == '[' && (at < 2 || pattern[at - 2] != '\\')
        || pattern[at - 1] == '^' && at >= 2 && pattern[at - 2] == '[' && (at < 3 || pattern[at - 3] != '\\');
}
