using System.Globalization;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org/list/): names under which different people register
/// names (<c>co.uk</c>, <c>github.io</c>). Plain rules, wildcard rules (<c>*.ck</c>: every name one label
/// below) and exception rules (<c>!www.ck</c>: not a suffix after all) are applied as the list's algorithm
/// says; Unicode rules are kept in their ASCII (IDNA) form, which is how zone names are written.
/// </summary>
public sealed class PublicSuffixList
{
    private readonly HashSet<string> _rules;
    private readonly HashSet<string> _wildcardParents;
    private readonly HashSet<string> _exceptions;

    private PublicSuffixList(HashSet<string> rules, HashSet<string> wildcardParents, HashSet<string> exceptions)
    {
        _rules = rules;
        _wildcardParents = wildcardParents;
        _exceptions = exceptions;
    }

    /// <summary>The number of rules read.</summary>
    public int Count => _rules.Count + _wildcardParents.Count + _exceptions.Count;

    /// <summary>Reads the list's text format: one rule per line (up to the first white space), <c>//</c> comments.</summary>
    public static PublicSuffixList Parse(TextReader reader)
    {
        var idn = new IdnMapping();
        HashSet<string> rules = new(StringComparer.Ordinal), wildcardParents = new(StringComparer.Ordinal), exceptions = new(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var rule = line.Trim();
            var end = rule.IndexOfAny([' ', '\t']);
            if (end >= 0) rule = rule[..end];
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal)) continue;
            var set = rules;
            if (rule.StartsWith('!')) (set, rule) = (exceptions, rule[1..]);
            else if (rule.StartsWith("*.", StringComparison.Ordinal)) (set, rule) = (wildcardParents, rule[2..]);
            if (rule.Contains('*')) continue; // the list uses a wildcard only as the leftmost label
            try
            {
                set.Add(idn.GetAscii(rule).ToLowerInvariant());
            }
            catch (ArgumentException)
            {
                // not a valid name: no zone name can match it
            }
        }
        return new PublicSuffixList(rules, wildcardParents, exceptions);
    }

    /// <summary>Whether <paramref name="name"/> (lowercase ASCII, no trailing dot) is itself a public suffix.</summary>
    public bool IsPublicSuffix(string name) => PublicSuffix(name) == name;

    /// <summary>
    /// The public suffix of <paramref name="name"/>: an exception rule wins and loses its leftmost label;
    /// otherwise the matching rule with the most labels; otherwise the last label (the default rule <c>*</c>).
    /// </summary>
    public string PublicSuffix(string name)
    {
        var longest = name[(name.LastIndexOf('.') + 1)..];
        // every suffix of the name, from the whole name down to its last label
        for (var start = 0; start >= 0; start = NextLabel(name, start))
        {
            var suffix = name[start..];
            if (_exceptions.Contains(suffix)) return suffix[(suffix.IndexOf('.') + 1)..];
            if (suffix.Length > longest.Length && (_rules.Contains(suffix) || (NextLabel(name, start) is var parent and >= 0 && _wildcardParents.Contains(name[parent..]))))
                longest = suffix;
        }
        return longest;
    }

    private static int NextLabel(string name, int start)
    {
        var dot = name.IndexOf('.', start);
        return dot < 0 ? -1 : dot + 1;
    }
}
