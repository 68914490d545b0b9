using System.Diagnostics.CodeAnalysis;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A NuGet-style version interval such as <c>[1.0,2.0)</c>: square brackets include the bound,
/// parentheses exclude it; an empty side is unbounded. A manifest must give both bounds.
/// </summary>
public sealed record VersionRange(Version Min, bool MinInclusive, Version Max, bool MaxInclusive)
{
    public bool Contains(Version version)
    {
        var v = Normalize(version);
        var aboveMin = MinInclusive ? v >= Min : v > Min;
        var belowMax = MaxInclusive ? v <= Max : v < Max;
        return aboveMin && belowMax;
    }

    public override string ToString() =>
        $"{(MinInclusive ? '[' : '(')}{Min},{Max}{(MaxInclusive ? ']' : ')')}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out VersionRange? range)
    {
        range = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 5) return false;
        var open = text[0];
        var close = text[^1];
        if (open is not ('[' or '(') || close is not (']' or ')')) return false;
        var parts = text[1..^1].Split(',');
        if (parts.Length != 2) return false;
        if (!Version.TryParse(parts[0].Trim(), out var min) || !Version.TryParse(parts[1].Trim(), out var max)) return false;
        min = Normalize(min);
        max = Normalize(max);
        if (min > max) return false;
        range = new VersionRange(min, open == '[', max, close == ']');
        return true;
    }

    private static Version Normalize(Version v) =>
        new(v.Major, v.Minor, Math.Max(v.Build, 0));
}
