using System.Text;

namespace Edgeplane.Plugins.Waf.SecLang.Transformations;

/// <summary>Whitespace, comments, command lines and paths.</summary>
public static class Normalisation
{
    public static readonly char[] Spaces = [' ', '\t', '\n', '\r', '\f', '\v'];

    /// <summary>C's <c>isspace</c> plus the non-breaking space (0xA0), as ModSecurity counts whitespace.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v' or '\u00A0';

    public static string CompressWhitespace(string s)
    {
        var buffer = Rewrite.Rent(s.Length);
        var n = 0;
        var inSpace = false;
        foreach (var c in s)
        {
            if (IsSpace(c))
            {
                if (!inSpace) buffer[n++] = ' ';
                inSpace = true;
            }
            else
            {
                buffer[n++] = c;
                inSpace = false;
            }
        }
        return Rewrite.Finish(s, buffer, n);
    }

    /// <summary>
    /// Deletes <c>\ " ' ^</c>, turns runs of whitespace, commas and semicolons into one space, drops a space
    /// before <c>/</c> or <c>(</c>, and lowercases: what shells ignore, so <c>w"h"o^ami</c> is <c>whoami</c>.
    /// </summary>
    public static string CmdLine(string s)
    {
        var buffer = Rewrite.Rent(s.Length);
        var n = 0;
        var space = false;
        foreach (var c in s)
        {
            switch (c)
            {
                case '"' or '\'' or '\\' or '^':
                    continue;
                case ' ' or ',' or ';' or '\t' or '\r' or '\n':
                    if (!space) buffer[n++] = ' ';
                    space = true;
                    break;
                case '/' or '(':
                    if (space) n--;
                    space = false;
                    buffer[n++] = c;
                    break;
                default:
                    buffer[n++] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
                    space = false;
                    break;
            }
        }
        return Rewrite.Finish(s, buffer, n);
    }

    /// <summary>Each <c>/* … */</c> (also one left open at the end) becomes one space.</summary>
    public static string ReplaceComments(string s)
    {
        if (!s.Contains("/*")) return s;
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && s[i] == '/' && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                sb.Append(' ');
                if (end < 0) break;
                i = end + 2;
                continue;
            }
            sb.Append(s[i++]);
        }
        return sb.ToString();
    }

    /// <summary>Removes <c>/* … */</c> and <c>&lt;!-- … --&gt;</c>, and everything after <c>--</c> or <c>#</c>.</summary>
    public static string RemoveComments(string s)
    {
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && s[i] == '/' && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) break;
                i = end + 2;
                continue;
            }
            if (i + 3 < s.Length && string.CompareOrdinal(s, i, "<!--", 0, 4) == 0)
            {
                var end = s.IndexOf("-->", i + 4, StringComparison.Ordinal);
                if (end < 0) break;
                i = end + 3;
                continue;
            }
            if (s[i] == '#' || (i + 1 < s.Length && s[i] == '-' && s[i + 1] == '-')) break;
            sb.Append(s[i++]);
        }
        return sb.ToString();
    }

    /// <summary>Removes <c>.</c> segments, resolves <c>..</c> and collapses repeated slashes (backslashes first become slashes on Windows).</summary>
    public static string Path(string s, bool windows)
    {
        if (windows) s = s.Replace('\\', '/');
        if (s.Length == 0) return s;
        var absolute = s[0] == '/';
        var trailing = s.EndsWith('/') || s.EndsWith("/.") || s.EndsWith("/..") || s is "." or "..";
        var segments = new List<string>();
        foreach (var segment in s.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0 && segments[^1] != "..") segments.RemoveAt(segments.Count - 1);
                else if (!absolute) segments.Add("..");
                continue;
            }
            segments.Add(segment);
        }
        var result = (absolute ? "/" : "") + string.Join('/', segments);
        if (trailing && segments.Count > 0) result += "/";
        return result;
    }
}
