using System.Globalization;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>The host ports the plugin hands out to mappings that name only the container port (<c>PortRange</c>).</summary>
public sealed record HostPortRange(int First, int Last)
{
    public static HostPortRange? Parse(string? text, out string? error)
    {
        error = null;
        if (text?.Split('-') is [var a, var b]
            && int.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(b, NumberStyles.Integer, CultureInfo.InvariantCulture, out var last)
            && first is >= 1 and <= 65535 && last >= first && last <= 65535)
            return new HostPortRange(first, last);
        error = $"'{text}' is not a port range such as 20000-29999 within 1-65535";
        return null;
    }

    /// <summary>The lowest port of the range for which <paramref name="taken"/> is false, or null when every one is.</summary>
    public int? FirstFree(Func<int, bool> taken)
    {
        for (var port = First; port <= Last; port++)
            if (!taken(port)) return port;
        return null;
    }

    public override string ToString() => $"{First}-{Last}";
}
