namespace Edgeplane.Plugins.Compute;

/// <summary>
/// The plugin's settings, bound from <c>Edgeplane:Plugins:compute:*</c> and checked when the host starts
/// (<c>Domain/ComputeOptionsValidator</c>): a bad value names its key instead of falling back to a default.
/// </summary>
public sealed class ComputeOptions
{
    /// <summary>The address published ports bind to on a node (127.0.0.1 by default: nothing is exposed beyond the machine).</summary>
    public string PublishAddress { get; set; } = "127.0.0.1";
    /// <summary>The Engine API version prefix the client speaks.</summary>
    public string ApiVersion { get; set; } = "v1.41";
    public double StopTimeoutSeconds { get; set; } = 10;
    public double ReconcileIntervalSeconds { get; set; } = 5;
    /// <summary>A deploy still <c>deploying</c> after this long was interrupted (its host stopped) and is marked failed.</summary>
    public double DeployTimeoutSeconds { get; set; } = 300;
    public int DeployConcurrency { get; set; } = 4;
    /// <summary>Host ports handed out when a mapping names only the container port: <c>first-last</c>.</summary>
    public string PortRange { get; set; } = "20000-29999";
    /// <summary>Pull an image the node lacks before creating the container.</summary>
    public bool PullMissingImages { get; set; } = true;
    public QuotaSettings Quota { get; set; } = new();
    public TlsSettings Tls { get; set; } = new();

    public TimeSpan StopTimeout => TimeSpan.FromSeconds(StopTimeoutSeconds);
    public TimeSpan ReconcileInterval => TimeSpan.FromSeconds(ReconcileIntervalSeconds);
    public TimeSpan DeployTimeout => TimeSpan.FromSeconds(DeployTimeoutSeconds);

    /// <summary>Per user, over instances not failed or deleted; sizes and cores as deploys write them.</summary>
    public sealed class QuotaSettings
    {
        public int MaxInstances { get; set; } = 10;
        public string MaxMemory { get; set; } = "8g";
        public string MaxCpu { get; set; } = "8";
    }

    /// <summary>PEM files for nodes reached over TCP with TLS (Docker's <c>--tlsverify</c> layout).</summary>
    public sealed class TlsSettings
    {
        public string? CaFile { get; set; }
        public string? CertFile { get; set; }
        public string? KeyFile { get; set; }
    }
}
