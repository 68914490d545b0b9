using System.Net;
using Edgeplane.Abstractions.Network;
using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Rollouts;

/// <summary>The plugin's settings: <c>Edgeplane:Plugins:rollouts:*</c>.</summary>
public sealed class RolloutsOptions
{
    /// <summary>Whether the device API listener runs (<c>DeviceApi:Enabled</c>).</summary>
    public bool DeviceApiEnabled { get; init; } = true;
    /// <summary>Address of the mTLS device listener (<c>DeviceApi:Address</c>); loopback by default.</summary>
    public IPAddress DeviceApiAddress { get; init; } = IPAddress.Loopback;
    /// <summary><c>DeviceApi:Port</c>.</summary>
    public int DeviceApiPort { get; init; } = 7443;
    /// <summary>The URL devices use, shown to operators (<c>DeviceApi:PublicUrl</c>).</summary>
    public string DeviceApiUrl { get; init; } = "";
    /// <summary>Extra DNS names for the listener's certificate (<c>DeviceApi:ServerNames</c>, separated by ';').</summary>
    public IReadOnlyList<string> ServerNames { get; init; } = [];
    /// <summary>Lifetime of a device certificate (<c>CertificateLifetime</c>).</summary>
    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromDays(7);
    /// <summary>How often devices are told to check in (<c>CheckInInterval</c>).</summary>
    public TimeSpan CheckInInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>An unchanged check-in is written to the history at most this often (<c>CheckInHistoryInterval</c>).</summary>
    public TimeSpan CheckInHistoryInterval { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Largest log bundle a device may upload (<c>MaxLogBytes</c>).</summary>
    public long MaxLogBytes { get; init; } = 16 * 1024 * 1024;
    /// <summary>Base64 of a 32-byte key that encrypts the CA key in the database (<c>CaKeyEncryptionKey</c>); else a file in the data directory.</summary>
    public string? CaKeyEncryptionKey { get; init; }
    /// <summary>Lifetime of a newly generated device CA (<c>CaLifetime</c>).</summary>
    public TimeSpan CaLifetime { get; init; } = TimeSpan.FromDays(3650);
    /// <summary>The plugin's data directory (<c>IPluginContext.DataDirectory</c>): where the key-encryption key file goes when none is configured.</summary>
    public string DataDirectory { get; init; } = ".data";

    public static RolloutsOptions From(IConfiguration section, string dataDirectory)
    {
        var port = section.GetValue("DeviceApi:Port", 7443);
        var addressText = section["DeviceApi:Address"] ?? "127.0.0.1";
        if (!IpText.TryParseAddress(addressText, out var address))
            throw new FormatException($"DeviceApi:Address '{addressText}' {IpText.AddressRule}");
        return new RolloutsOptions
        {
            DeviceApiEnabled = section.GetValue("DeviceApi:Enabled", true),
            DeviceApiAddress = address,
            DeviceApiPort = port,
            DeviceApiUrl = section["DeviceApi:PublicUrl"] ?? $"https://{(address.Equals(IPAddress.Any) ? "127.0.0.1" : address.ToString())}:{port}",
            ServerNames = (section["DeviceApi:ServerNames"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            CertificateLifetime = section.GetValue("CertificateLifetime", TimeSpan.FromDays(7)),
            CheckInInterval = section.GetValue("CheckInInterval", TimeSpan.FromSeconds(30)),
            CheckInHistoryInterval = section.GetValue("CheckInHistoryInterval", TimeSpan.FromMinutes(15)),
            MaxLogBytes = section.GetValue("MaxLogBytes", 16L * 1024 * 1024),
            CaKeyEncryptionKey = section["CaKeyEncryptionKey"],
            CaLifetime = section.GetValue("CaLifetime", TimeSpan.FromDays(3650)),
            DataDirectory = dataDirectory,
        };
    }
}
