using System.Globalization;
using System.Text;

namespace Edgeplane.Host.Observability;

/// <summary>
/// Turns OpenTelemetry-style instrument names, units and tag keys into Prometheus names
/// (<c>[a-z_][a-z0-9_]*</c>, snake case, base units as suffixes, <c>_total</c> on counters) and
/// escapes label values and help text for the text exposition format.
/// </summary>
public static class PrometheusNames
{
    /// <summary>A unit converted to a Prometheus base unit: the suffix to append and the factor to multiply values by.</summary>
    public readonly record struct UnitConversion(string? Suffix, double Scale);

    /// <summary>Snake case, only <c>[a-z0-9_]</c>, no leading digit, no repeated or trailing underscores.</summary>
    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                // camelCase → camel_case; "HTTPServer" → "http_server"
                var prev = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                if (sb.Length > 0 && (char.IsAsciiLetterLower(prev) || char.IsAsciiDigit(prev)
                                      || (char.IsAsciiLetterUpper(prev) && char.IsAsciiLetterLower(next))))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) sb.Append(c);
            else sb.Append('_');
        }
        var collapsed = new StringBuilder(sb.Length);
        foreach (var c in sb.ToString())
            if (c != '_' || (collapsed.Length > 0 && collapsed[^1] != '_')) collapsed.Append(c);
        var result = collapsed.ToString().TrimEnd('_');
        if (result.Length == 0) return "unnamed";
        return char.IsAsciiDigit(result[0]) ? "_" + result : result;
    }

    /// <summary>A label name: sanitized, and never starting with the reserved <c>__</c>.</summary>
    public static string LabelName(string key)
    {
        var name = Sanitize(key); // never starts with "__": leading underscores are dropped
        return name is "le" or "quantile" ? "tag_" + name : name;
    }

    /// <summary>
    /// Maps a UCUM-style unit (as OpenTelemetry uses them) to a base-unit suffix and a scale:
    /// <c>ms</c> → <c>seconds</c> × 0.001, <c>By</c> → <c>bytes</c>, <c>{request}</c> → no suffix.
    /// </summary>
    public static UnitConversion Unit(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit) || unit == "1") return new(null, 1);
        var slash = unit.IndexOf('/');
        if (slash > 0)
        {
            var top = Unit(unit[..slash]);
            var per = PerUnit(unit[(slash + 1)..]);
            var suffix = per is null ? top.Suffix : (top.Suffix is null ? "per_" + per : top.Suffix + "_per_" + per);
            return new(suffix, top.Scale);
        }
        return unit switch
        {
            "s" => new("seconds", 1),
            "ms" => new("seconds", 1e-3),
            "us" or "μs" => new("seconds", 1e-6),
            "ns" => new("seconds", 1e-9),
            "min" => new("seconds", 60),
            "h" => new("seconds", 3600),
            "d" => new("seconds", 86400),
            "By" => new("bytes", 1),
            "KiBy" => new("bytes", 1024),
            "MiBy" => new("bytes", 1024 * 1024),
            "GiBy" => new("bytes", 1024d * 1024 * 1024),
            "kBy" or "KBy" => new("bytes", 1e3),
            "MBy" => new("bytes", 1e6),
            "GBy" => new("bytes", 1e9),
            "bit" => new("bits", 1),
            "%" => new("percent", 1),
            "Cel" => new("celsius", 1),
            "Hz" => new("hertz", 1),
            "V" => new("volts", 1),
            "A" => new("amperes", 1),
            "J" => new("joules", 1),
            "W" => new("watts", 1),
            "m" => new("meters", 1),
            _ when unit.StartsWith('{') => new(null, 1), // an annotation such as {request}: a count, no unit
            _ => new(Sanitize(unit) is var s && s != "unnamed" ? s : null, 1),
        };
    }

    private static string? PerUnit(string unit) => unit switch
    {
        "s" => "second",
        "min" => "minute",
        "h" => "hour",
        "d" => "day",
        _ when unit.StartsWith('{') => null,
        _ => Unit(unit).Suffix,
    };

    /// <summary>The family name for an instrument: sanitized name, unit suffix, <c>_total</c> for counters.</summary>
    public static string MetricName(string instrumentName, string? unitSuffix, bool counter)
    {
        var name = Sanitize(instrumentName);
        var hadTotal = name.EndsWith("_total", StringComparison.Ordinal);
        if (hadTotal) name = name[..^"_total".Length];
        if (unitSuffix is not null && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal) && name != unitSuffix)
            name += "_" + unitSuffix;
        if (counter) return name + "_total";
        // Names ending like a histogram's or summary's series are reserved for those types.
        if (name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_sum", StringComparison.Ordinal)
            || name.EndsWith("_bucket", StringComparison.Ordinal))
            name += "_value";
        return name;
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0) return value;
        return value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");
    }

    /// <summary>Escapes HELP text: backslash and line feed.</summary>
    public static string EscapeHelp(string value) =>
        value.Replace("\\", @"\\").Replace("\r", "").Replace("\n", @"\n");

    /// <summary>A sample value as Prometheus writes it: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
