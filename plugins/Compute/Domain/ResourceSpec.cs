using System.Globalization;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>
/// Parsers for the seed's string-typed resource fields. Each returns null and an error message
/// (for the field) on malformed input.
/// </summary>
public static partial class ResourceSpec
{
    public const long MiB = 1024 * 1024;
    /// <summary>The smallest memory limit container engines accept (6 MiB).</summary>
    public const long MinMemory = 6 * MiB;
    public const long NanoPerCpu = 1_000_000_000;

    [GeneratedRegex(@"^\s*(?<n>\d+(\.\d+)?)\s*(?<u>b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^(?<host>\d{1,5}:)?(?<container>\d{1,5})(/(?<proto>tcp|udp))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PortPattern();

    /// <summary>
    /// A size such as <c>512m</c>, <c>512MB</c>, <c>1.5g</c>, <c>1GiB</c>, <c>100G</c> (binary units: k = 1024);
    /// a bare number is MiB (as control panels write memory), <c>b</c> marks bytes.
    /// </summary>
    public static long? ParseSize(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value)) { error = "is required"; return null; }
        var match = SizePattern().Match(value);
        if (!match.Success) { error = $"'{value}' is not a size such as 512m, 512MB, 2g or 1GiB"; return null; }
        var number = decimal.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups["u"].Success ? match.Groups["u"].Value.ToLowerInvariant()[0] : 'm';
        decimal multiplier = unit switch
        {
            'b' => 1,
            'k' => 1024,
            'm' => MiB,
            'g' => 1024m * MiB,
            't' => 1024m * 1024 * MiB,
            _ => throw new InvalidOperationException(),
        };
        var bytes = number * multiplier;
        if (bytes > long.MaxValue / 2) { error = "is too large"; return null; }
        if (bytes < 1) { error = "must be greater than zero"; return null; }
        return (long)bytes;
    }

    /// <summary>Memory for a container: a size (see <see cref="ParseSize"/>) of at least 6 MiB.</summary>
    public static long? ParseMemory(string? value, out string? error)
    {
        var bytes = ParseSize(value, out error);
        if (bytes is < MinMemory) { error = "must be at least 6 MiB"; return null; }
        return bytes;
    }

    /// <summary>CPU as cores: <c>0.5</c>, <c>2</c>, or millicores <c>500m</c>; at least 0.01. Returns nano-CPUs.</summary>
    public static long? ParseCpu(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value)) { error = "is required"; return null; }
        var text = value.Trim();
        var milli = text.EndsWith('m');
        if (milli) text = text[..^1];
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"'{value}' is not a number of CPU cores such as 0.5, 2 or 500m";
            return null;
        }
        var cores = milli ? number / 1000 : number;
        if (cores < 0.01m) { error = "must be at least 0.01 cores"; return null; }
        if (cores > 1024) { error = "must be at most 1024 cores"; return null; }
        return (long)(cores * NanoPerCpu);
    }

    /// <summary>
    /// Port mappings: a comma- or space-separated list of <c>hostPort:containerPort[/tcp|udp]</c>, or
    /// <c>containerPort[/proto]</c> to let the plugin choose the host port (host port 0 here).
    /// </summary>
    public static IReadOnlyList<PortMapping>? ParsePorts(string? value, out string? error)
    {
        error = null;
        var result = new List<PortMapping>();
        if (string.IsNullOrWhiteSpace(value)) return result;
        foreach (var part in value.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = PortPattern().Match(part);
            if (!match.Success) { error = $"'{part}' is not a port mapping such as 8080:80, 8080:80/udp or 80"; return null; }
            var container = int.Parse(match.Groups["container"].Value, CultureInfo.InvariantCulture);
            var host = match.Groups["host"].Success ? int.Parse(match.Groups["host"].Value.TrimEnd(':'), CultureInfo.InvariantCulture) : 0;
            var proto = match.Groups["proto"].Success ? match.Groups["proto"].Value.ToLowerInvariant() : "tcp";
            if (container is < 1 or > 65535) { error = $"container port {container} is outside 1-65535"; return null; }
            if (match.Groups["host"].Success && host is < 1 or > 65535) { error = $"host port {host} is outside 1-65535"; return null; }
            if (host != 0 && result.Any(p => p.HostPort == host && p.Protocol == proto)) { error = $"host port {host}/{proto} is mapped twice"; return null; }
            if (result.Any(p => p.ContainerPort == container && p.Protocol == proto)) { error = $"container port {container}/{proto} is mapped twice"; return null; }
            result.Add(new PortMapping(host, container, proto));
        }
        if (result.Count > 64) { error = "at most 64 port mappings"; return null; }
        return result;
    }

    /// <summary>A single TCP/UDP port number 1-65535.</summary>
    public static int? ParsePort(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value)) { error = "is required"; return null; }
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{value}' is not a port number 1-65535";
            return null;
        }
        return port;
    }

    /// <summary>Memory for display: <c>512m</c>, <c>2g</c>, or bytes.</summary>
    public static string FormatSize(long bytes) =>
        bytes % (1024 * MiB) == 0 ? $"{bytes / (1024 * MiB)}g" : bytes % MiB == 0 ? $"{bytes / MiB}m" : $"{bytes}b";

    public static double Cores(long nanoCpus) => Math.Round(nanoCpus / (double)NanoPerCpu, 3);
}
