using Edgeplane.Plugins.Waf.SecLang.Parsing;

namespace Edgeplane.Plugins.Waf.SecLang.Operators;

/// <summary>Builds an operator from a rule's operator argument (<c>"!@rx ^a"</c>; no <c>@</c> means <c>@rx</c>).</summary>
public static class OperatorFactory
{
    public static (SecOperator Operator, bool Negated) Create(string text, string ruleDirectory, string where)
    {
        var s = text.TrimStart();
        var negated = s.StartsWith('!');
        if (negated) s = s[1..].TrimStart();
        string name, parameter;
        if (s.StartsWith('@'))
        {
            var space = s.IndexOfAny([' ', '\t']);
            name = space < 0 ? s[1..] : s[1..space];
            parameter = space < 0 ? "" : s[(space + 1)..].TrimStart();
        }
        else
        {
            name = "rx";
            parameter = s;
        }
        return (Build(name, parameter, ruleDirectory, where), negated);
    }

    private static SecOperator Build(string name, string parameter, string directory, string where)
    {
        switch (name.ToLowerInvariant())
        {
            case "rx": return RegexOperator.Create(parameter, where);
            case "pm": return new PhraseMatchOperator(name, parameter, parameter.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            case "pmfromfile" or "pmf": return new PhraseMatchOperator(name, parameter, ReadLists(parameter, directory, where));
            case "detectsqli": return new LibInjectionOperator(name, sql: true, where);
            case "detectxss": return new LibInjectionOperator(name, sql: false, where);
            case "validatebyterange": return ByteRangeOperator.Create(parameter, where);
            case "validateurlencoding": return new UrlEncodingOperator(name);
            case "validateutf8encoding": return new Utf8EncodingOperator(name);
            case "ipmatch": return IpMatchOperator.Create(name, parameter, parameter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), where);
            case "ipmatchfromfile" or "ipmatchf": return IpMatchOperator.Create(name, parameter, ReadLists(parameter, directory, where), where);
            case "within": return new StringOperator(name, parameter, StringTest.Within);
            case "contains": return new StringOperator(name, parameter, StringTest.Contains);
            case "containsword": return new StringOperator(name, parameter, StringTest.ContainsWord);
            case "beginswith": return new StringOperator(name, parameter, StringTest.BeginsWith);
            case "endswith": return new StringOperator(name, parameter, StringTest.EndsWith);
            case "streq": return new StringOperator(name, parameter, StringTest.Equal);
            case "strmatch": return new StringOperator(name, parameter, StringTest.Contains);
            case "eq": return new NumericOperator(name, parameter, c => c == 0);
            case "ge": return new NumericOperator(name, parameter, c => c >= 0);
            case "gt": return new NumericOperator(name, parameter, c => c > 0);
            case "le": return new NumericOperator(name, parameter, c => c <= 0);
            case "lt": return new NumericOperator(name, parameter, c => c < 0);
            case "unconditionalmatch": return new ConstantOperator(name, true);
            case "nomatch": return new ConstantOperator(name, false);
            // no DNS lookups and no GeoIP database from a rule: these never match (the WAF's geo_block policy does geo)
            case "rbl" or "geolookup": return new ConstantOperator(name, false);
            default: throw new SecLangException($"{where}: unknown operator '@{name}'");
        }
    }

    /// <summary>Space-separated files, relative to the rule file; one entry per line, <c>#</c> comments skipped.</summary>
    private static string[] ReadLists(string parameter, string directory, string where)
    {
        var entries = new List<string>();
        foreach (var file in parameter.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.IsPathRooted(file) ? file : Path.Combine(directory, file);
            if (!File.Exists(path)) throw new SecLangException($"{where}: data file not found: {path}");
            foreach (var line in File.ReadAllLines(path, System.Text.Encoding.Latin1))
            {
                var entry = line.Trim();
                if (entry.Length > 0 && entry[0] != '#') entries.Add(entry);
            }
        }
        return [.. entries];
    }
}
