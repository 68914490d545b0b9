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

    public IEnumerable<int> Ports => Enumerable.Range(First, Last - First + 1);

    public override string ToString() => $"{First}-{Last}";
}
