using System.Globalization;
using Edgeplane.Plugins.Compute.Domain;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Compute;

/// <summary>The plugin's settings (<c>Edgeplane:Plugins:compute:*</c>).</summary>
public sealed class ComputeOptions
{
    /// <summary>The address published ports bind to on a node (127.0.0.1 by default: nothing is exposed beyond the machine).</summary>
    public string PublishAddress { get; init; } = "127.0.0.1";
    /// <summary>The Engine API version prefix the client speaks.</summary>
    public string ApiVersion { get; init; } = "v1.41";
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A deploy still <c>deploying</c> after this long was interrupted (its host stopped) and is marked failed.</summary>
    public TimeSpan DeployTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int DeployConcurrency { get; init; } = 4;
    /// <summary>Host ports handed out when a mapping names only the container port.</summary>
    public int PortRangeStart { get; init; } = 20000;
    public int PortRangeEnd { get; init; } = 29999;
    /// <summary>Pull an image the node lacks before creating the container.</summary>
    public bool PullMissingImages { get; init; } = true;
    public int QuotaMaxInstances { get; init; } = 10;
    public long QuotaMaxMemoryBytes { get; init; } = 8L * 1024 * ResourceSpec.MiB;
    public long QuotaMaxNanoCpus { get; init; } = 8 * ResourceSpec.NanoPerCpu;
    public string? TlsCaFile { get; init; }
    public string? TlsCertFile { get; init; }
    public string? TlsKeyFile { get; init; }

    public static ComputeOptions From(IConfiguration c)
    {
        var d = new ComputeOptions();
        static int Int(string? v, int fallback) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : fallback;
        static double Seconds(string? v, double fallback) => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;
        string? range = c["PortRange"];
        var (start, end) = (d.PortRangeStart, d.PortRangeEnd);
        if (range?.Split('-') is [var a, var b] && int.TryParse(a, out var s) && int.TryParse(b, out var e) && s is >= 1 and <= 65535 && e >= s && e <= 65535)
            (start, end) = (s, e);
        return new ComputeOptions
        {
            PublishAddress = c["PublishAddress"] ?? d.PublishAddress,
            ApiVersion = c["ApiVersion"] ?? d.ApiVersion,
            StopTimeout = TimeSpan.FromSeconds(Seconds(c["StopTimeoutSeconds"], d.StopTimeout.TotalSeconds)),
            ReconcileInterval = TimeSpan.FromSeconds(Seconds(c["ReconcileIntervalSeconds"], d.ReconcileInterval.TotalSeconds)),
            DeployTimeout = TimeSpan.FromSeconds(Seconds(c["DeployTimeoutSeconds"], d.DeployTimeout.TotalSeconds)),
            DeployConcurrency = Math.Clamp(Int(c["DeployConcurrency"], d.DeployConcurrency), 1, 64),
            PortRangeStart = start,
            PortRangeEnd = end,
            PullMissingImages = !string.Equals(c["PullMissingImages"], "false", StringComparison.OrdinalIgnoreCase),
            QuotaMaxInstances = Int(c["Quota:MaxInstances"], d.QuotaMaxInstances),
            QuotaMaxMemoryBytes = ResourceSpec.ParseSize(c["Quota:MaxMemory"], out _) ?? d.QuotaMaxMemoryBytes,
            QuotaMaxNanoCpus = ResourceSpec.ParseCpu(c["Quota:MaxCpu"], out _) ?? d.QuotaMaxNanoCpus,
            TlsCaFile = c["Tls:CaFile"],
            TlsCertFile = c["Tls:CertFile"],
            TlsKeyFile = c["Tls:KeyFile"],
        };
    }
}
