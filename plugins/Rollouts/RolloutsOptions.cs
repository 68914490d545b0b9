using System.Net;
using Edgeplane.Abstractions.Network;

namespace Edgeplane.Plugins.Rollouts;

/// <summary>
/// The plugin's settings, bound from <c>Edgeplane:Plugins:rollouts:*</c> and checked when the host starts
/// (<c>Domain/RolloutsOptionsValidator</c>): a bad value fails the plugin, naming its key, instead of falling back to a default.
/// </summary>
public sealed class RolloutsOptions
{
    /// <summary>The mTLS device listener (<c>DeviceApi:*</c>).</summary>
    public DeviceApiSettings DeviceApi { get; set; } = new();
    /// <summary>Lifetime of a device certificate.</summary>
    public TimeSpan CertificateLifetime { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often devices are told to check in.</summary>
    public TimeSpan CheckInInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>An unchanged check-in is written to the history at most this often.</summary>
    public TimeSpan CheckInHistoryInterval { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Largest log bundle a device may upload (and largest target it can fetch over the device API).</summary>
    public long MaxLogBytes { get; set; } = 16 * 1024 * 1024;
    /// <summary>Base64 of a 32-byte key that encrypts the CA key in the database; else a file in the data directory.</summary>
    public string? CaKeyEncryptionKey { get; set; }
    /// <summary>Lifetime of a newly generated device CA.</summary>
    public TimeSpan CaLifetime { get; set; } = TimeSpan.FromDays(3650);
    /// <summary>The plugin's data directory (<c>IPluginContext.DataDirectory</c>, not a setting): where the key-encryption key file goes when none is configured.</summary>
    public string DataDirectory { get; set; } = ".data";
    /// <summary>The update-signing repository (<c>Tuf:*</c>).</summary>
    public TufOptions Tuf { get; set; } = new();
    /// <summary>Artifact and SBOM sizes (<c>Artifacts:*</c>).</summary>
    public ArtifactOptions Artifacts { get; set; } = new();
    /// <summary>The rollout orchestrator (<c>Deployments:*</c>).</summary>
    public DeploymentOptions Deployments { get; set; } = new();

    public sealed class DeviceApiSettings
    {
        /// <summary>Whether the device API listener runs.</summary>
        public bool Enabled { get; set; } = true;
        /// <summary>The listener's address; loopback by default.</summary>
        public string Address { get; set; } = "127.0.0.1";
        public int Port { get; set; } = 7443;
        /// <summary>The URL devices use, shown to operators; by default the listener's own address.</summary>
        public string? PublicUrl { get; set; }
        /// <summary>Extra DNS names for the listener's certificate, separated by ';'.</summary>
        public string ServerNames { get; set; } = "";

        /// <summary>The parsed <see cref="Address"/> (checked when the host starts).</summary>
        public IPAddress ParsedAddress() => IpText.TryParseAddress(Address, out var address) ? address : IPAddress.Loopback;
        public string Url => PublicUrl ?? $"https://{(ParsedAddress().Equals(IPAddress.Any) ? "127.0.0.1" : ParsedAddress().ToString())}:{Port}";
        public IReadOnlyList<string> ServerNameList => ServerNames.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
