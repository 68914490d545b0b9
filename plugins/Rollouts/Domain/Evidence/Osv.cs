using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Data.Evidence;

namespace Edgeplane.Plugins.Rollouts.Domain.Evidence;

/// <summary>A component to match: name, version and (if the SBOM gave one) its package URL.</summary>
public sealed record Component(string Name, string Version, string? Purl);

/// <summary>
/// The OSV schema (https://ossf.github.io/osv-schema/) as far as matching SBOM components needs it.
/// A component is affected by an <c>affected[]</c> entry when its package matches and its version is listed in
/// <c>versions</c> or falls in a <c>SEMVER</c> or <c>ECOSYSTEM</c> range (<c>introduced</c>, <c>fixed</c>,
/// <c>last_affected</c>, <c>limit</c> events). See the README for what is and is not matched.
/// </summary>
public static class Osv
{
    /// <summary>OSV ecosystems by package-URL type.</summary>
    private static readonly Dictionary<string, string> Ecosystems = new(StringComparer.OrdinalIgnoreCase)
    {
        ["npm"] = "npm", ["pypi"] = "PyPI", ["maven"] = "Maven", ["golang"] = "Go", ["nuget"] = "NuGet", ["cargo"] = "crates.io",
        ["gem"] = "RubyGems", ["composer"] = "Packagist", ["hex"] = "Hex", ["pub"] = "Pub", ["deb"] = "Debian", ["apk"] = "Alpine",
        ["rpm"] = "Red Hat", ["swift"] = "SwiftURL", ["cocoapods"] = "CocoaPods", ["conan"] = "ConanCenter", ["github"] = "GitHub Actions",
    };

    /// <summary>Parses an import: one OSV object, an array of them, or <c>{"vulns": [...]}</c> (the OSV query API's answer).</summary>
    public static List<OsvRecord> Parse(JsonNode? document, List<string> errors)
    {
        var items = document switch
        {
            JsonArray array => array.ToList(),
            JsonObject o when o["vulns"] is JsonArray vulns => vulns.ToList(),
            JsonObject o when o["results"] is JsonArray results => results.SelectMany(r => r?["vulns"] as JsonArray ?? []).ToList(),
            JsonObject o => [o],
            _ => [],
        };
        if (items.Count == 0) errors.Add("expected an OSV object, an array of them, or {\"vulns\": [...]}");
        var records = new List<OsvRecord>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject v) { errors.Add($"[{i}]: not an object"); continue; }
            var id = Str(v["id"]);
            if (string.IsNullOrWhiteSpace(id) || id.Length > 200) { errors.Add($"[{i}].id: required, at most 200 characters"); continue; }
            if (v["affected"] is not null and not JsonArray) { errors.Add($"[{i}].affected: must be an array"); continue; }
            var affected = (JsonArray?)v["affected"]?.DeepClone() ?? [];
            var bad = false;
            foreach (var a in affected)
            {
                if (a is not JsonObject entry || (entry["package"] is not null and not JsonObject) || (entry["ranges"] is not null and not JsonArray) ||
                    (entry["versions"] is not null and not JsonArray))
                {
                    errors.Add($"[{i}] ({id}).affected: each entry must be an object with an optional package object, ranges array and versions array");
                    bad = true;
                    break;
                }
            }
            if (bad) continue;
            DateTimeOffset? modified = DateTimeOffset.TryParse(Str(v["modified"]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var m) ? m.ToUniversalTime() : null;
            var aliases = (v["aliases"] as JsonArray ?? []).Select(Str).Where(s => s.Length > 0).ToList();
            var summary = Str(v["summary"]);
            if (summary.Length == 0) summary = Str(v["details"]).Split('\n')[0];
            records.Add(new OsvRecord(id, summary.Length > 500 ? summary[..500] : summary, SeverityOf(v), aliases, affected, modified));
        }
        return records;
    }

    /// <summary>
    /// low / medium / high / critical from <c>database_specific.severity</c> (GitHub advisories), else the CVSS v3 base score of a
    /// <c>severity[]</c> vector, else <c>unknown</c>.
    /// </summary>
    public static string SeverityOf(JsonObject v)
    {
        var named = Str(v["database_specific"]?["severity"]).ToLowerInvariant();
        if (named == "moderate") named = "medium";
        if (named is "low" or "medium" or "high" or "critical") return named;
        foreach (var s in v["severity"] as JsonArray ?? [])
        {
            var type = Str(s?["type"]);
            if (type is "CVSS_V3" or "CVSS_V31" or "CVSS_V30" && Cvss3.BaseScore(Str(s?["score"])) is { } score) return Cvss3.Rating(score);
        }
        return "unknown";
    }

    /// <summary>The affected entries of <paramref name="record"/> that <paramref name="component"/> matches, with the fixed versions they name.</summary>
    public static IReadOnlyList<string>? Match(OsvRecord record, Component component)
    {
        List<string>? fixedVersions = null;
        foreach (var node in record.Affected)
        {
            if (node is not JsonObject entry || !PackageMatches(entry["package"] as JsonObject, component)) continue;
            var version = component.Version;
            var hit = (entry["versions"] as JsonArray ?? []).Any(x => Str(x) == version);
            var fixes = new List<string>();
            foreach (var range in entry["ranges"] as JsonArray ?? [])
            {
                var type = Str(range?["type"]);
                if (type is not ("SEMVER" or "ECOSYSTEM")) continue; // GIT ranges name commits; nothing here to compare them with
                var events = range?["events"] as JsonArray ?? [];
                fixes.AddRange(events.Select(e => Str(e?["fixed"])).Where(f => f.Length > 0));
                if (!hit && InRange(events, version)) hit = true;
            }
            if (!hit) continue;
            fixedVersions ??= [];
            fixedVersions.AddRange(fixes);
        }
        return fixedVersions?.Distinct().ToList();
    }

    /// <summary>
    /// Whether <paramref name="version"/> is affected by a range's events (OSV's evaluation): events are taken in version order
    /// ("0" first); <c>introduced</c> at or below the version makes it affected, <c>fixed</c> or <c>limit</c> at or below it and
    /// <c>last_affected</c> below it make it not.
    /// </summary>
    public static bool InRange(JsonArray events, string version)
    {
        var ordered = events.OfType<JsonObject>()
            .Select(e => e.FirstOrDefault(p => p.Key is "introduced" or "fixed" or "last_affected" or "limit"))
            .Where(p => p.Key is not null)
            .Select(p => (Kind: p.Key, Version: Str(p.Value)))
            .Where(p => p.Version.Length > 0)
            .OrderBy(p => p.Version, VersionComparer.Instance)
            .ToList();
        var affected = false;
        foreach (var (kind, at) in ordered)
        {
            var cmp = VersionComparer.Instance.Compare(version, at);
            switch (kind)
            {
                case "introduced" when at == "0" || cmp >= 0: affected = true; break;
                case "fixed" or "limit" when cmp >= 0: affected = false; break;
                case "last_affected" when cmp > 0: affected = false; break;
            }
        }
        return affected;
    }

    /// <summary>
    /// By package URL when both sides have one (type, namespace and name; version and qualifiers ignored), else by name
    /// (case-insensitive; a Maven <c>group:artifact</c> also matches the component's bare artifact name) and, when the
    /// component has a purl, its ecosystem.
    /// </summary>
    public static bool PackageMatches(JsonObject? package, Component component)
    {
        if (package is null) return false;
        var purl = Str(package["purl"]);
        if (purl.Length > 0 && component.Purl is { Length: > 0 })
            return string.Equals(PurlBase(purl), PurlBase(component.Purl), StringComparison.OrdinalIgnoreCase);
        var name = Str(package["name"]);
        if (name.Length == 0) return false;
        var nameMatches = string.Equals(name, component.Name, StringComparison.OrdinalIgnoreCase) ||
                          (name.Contains(':') && string.Equals(name[(name.IndexOf(':') + 1)..], component.Name, StringComparison.OrdinalIgnoreCase));
        if (!nameMatches) return false;
        var ecosystem = Str(package["ecosystem"]).Split(':')[0];
        if (ecosystem.Length == 0 || component.Purl is not { Length: > 4 } cp || !cp.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return true;
        var type = cp[4..].Split('/')[0];
        return !Ecosystems.TryGetValue(type, out var expected) || string.Equals(expected, ecosystem, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>pkg:type/namespace/name</c> without version, qualifiers or subpath, percent-decoded.</summary>
    public static string PurlBase(string purl)
    {
        var end = purl.IndexOfAny(['@', '?', '#']);
        // '@' may start a scoped npm namespace encoded as %40; a literal '@' right after "pkg:npm/" is a namespace, not a version.
        if (end > 0 && purl[end] == '@' && purl[..end].EndsWith('/')) end = purl.IndexOfAny(['@', '?', '#'], end + 1);
        var text = end < 0 ? purl : purl[..end];
        return Uri.UnescapeDataString(text).TrimEnd('/');
    }

    private static string Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) ? s : node is JsonValue other && other.GetValueKind() == JsonValueKind.Number ? other.ToJsonString() : "";
}

/// <summary>
/// Orders versions the way SemVer and most ecosystems do for release versions: an optional leading 'v', numeric
/// dot-separated parts compared as numbers (1.10 &gt; 1.9), a missing part is 0, a pre-release ("-rc.1") sorts before its
/// release, build metadata ("+...") is ignored, non-numeric parts compare as text.
/// </summary>
public sealed class VersionComparer : IComparer<string>
{
    public static readonly VersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var (xr, xp) = Split(x);
        var (yr, yp) = Split(y);
        var c = CompareParts(xr.Split('.'), yr.Split('.'), missingIsZero: true);
        if (c != 0) return c;
        if (xp.Length == 0 || yp.Length == 0) return xp.Length == 0 ? (yp.Length == 0 ? 0 : 1) : -1;
        return CompareParts(xp.Split('.'), yp.Split('.'), missingIsZero: false);
    }

    private static (string Release, string Pre) Split(string v)
    {
        v = v.Trim();
        if (v.Length > 1 && v[0] is 'v' or 'V' && char.IsAsciiDigit(v[1])) v = v[1..];
        var plus = v.IndexOf('+');
        if (plus >= 0) v = v[..plus];
        var dash = v.IndexOf('-');
        return dash < 0 ? (v, "") : (v[..dash], v[(dash + 1)..]);
    }

    private static int CompareParts(string[] a, string[] b, bool missingIsZero)
    {
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            if (i >= a.Length) return missingIsZero && b.Skip(i).All(p => p.All(c => c == '0')) ? 0 : -1;
            if (i >= b.Length) return missingIsZero && a.Skip(i).All(p => p.All(c => c == '0')) ? 0 : 1;
            var c = ComparePart(a[i], b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static int ComparePart(string a, string b)
    {
        var an = a.Length > 0 && a.All(char.IsAsciiDigit);
        var bn = b.Length > 0 && b.All(char.IsAsciiDigit);
        if (an && bn)
        {
            var ta = a.TrimStart('0');
            var tb = b.TrimStart('0');
            return ta.Length != tb.Length ? ta.Length.CompareTo(tb.Length) : string.CompareOrdinal(ta, tb);
        }
        if (an != bn) return an ? -1 : 1; // numeric identifiers sort before alphanumeric ones (SemVer 11.4.3)
        return string.CompareOrdinal(a, b);
    }
}

/// <summary>CVSS v3.x base score from a vector string (FIRST's specification, section 7.1).</summary>
public static class Cvss3
{
    public static double? BaseScore(string vector)
    {
        var metrics = vector.Split('/').Skip(1).Select(p => p.Split(':')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!vector.StartsWith("CVSS:3", StringComparison.Ordinal)) return null;
        double? Get(string key, Dictionary<string, double> map) => metrics.TryGetValue(key, out var v) && map.TryGetValue(v, out var d) ? d : null;
        var scopeChanged = metrics.GetValueOrDefault("S") == "C";
        var av = Get("AV", new() { ["N"] = 0.85, ["A"] = 0.62, ["L"] = 0.55, ["P"] = 0.2 });
        var ac = Get("AC", new() { ["L"] = 0.77, ["H"] = 0.44 });
        var pr = Get("PR", scopeChanged ? new() { ["N"] = 0.85, ["L"] = 0.68, ["H"] = 0.5 } : new() { ["N"] = 0.85, ["L"] = 0.62, ["H"] = 0.27 });
        var ui = Get("UI", new() { ["N"] = 0.85, ["R"] = 0.62 });
        var cia = new Dictionary<string, double> { ["H"] = 0.56, ["L"] = 0.22, ["N"] = 0 };
        var c = Get("C", cia);
        var i = Get("I", cia);
        var a = Get("A", cia);
        if (av is null || ac is null || pr is null || ui is null || c is null || i is null || a is null || !metrics.ContainsKey("S")) return null;
        var iss = 1 - (1 - c.Value) * (1 - i.Value) * (1 - a.Value);
        var impact = scopeChanged ? 7.52 * (iss - 0.029) - 3.25 * Math.Pow(iss - 0.02, 15) : 6.42 * iss;
        var exploitability = 8.22 * av.Value * ac.Value * pr.Value * ui.Value;
        if (impact <= 0) return 0;
        return RoundUp(scopeChanged ? Math.Min(1.08 * (impact + exploitability), 10) : Math.Min(impact + exploitability, 10));
    }

    public static string Rating(double score) => score switch { 0 => "none", < 4 => "low", < 7 => "medium", < 9 => "high", _ => "critical" };

    private static double RoundUp(double value)
    {
        var integer = (long)Math.Round(value * 100000);
        return integer % 10000 == 0 ? integer / 100000.0 : (Math.Floor(integer / 10000.0) + 1) / 10.0;
    }
}
