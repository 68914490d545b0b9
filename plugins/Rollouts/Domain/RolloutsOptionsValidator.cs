using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Rollouts.Tuf;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Rollouts.Domain;

/// <summary>Checks the plugin's settings when the host starts: each bad value is named with its key and the reason.</summary>
public sealed class RolloutsOptionsValidator : IValidateOptions<RolloutsOptions>
{
    private const string Section = "Edgeplane:Plugins:rollouts:";

    public ValidateOptionsResult Validate(string? name, RolloutsOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string key, string message)
        {
            if (!valid) failures.Add($"{Section}{key}: {message}");
        }
        void Positive(TimeSpan value, string key) => Check(value > TimeSpan.Zero, key, "must be greater than 0");

        var api = options.DeviceApi;
        Check(IpText.TryParseAddress(api.Address, out _), "DeviceApi:Address", $"'{api.Address}' {IpText.AddressRule}");
        Check(api.Port is >= 1 and <= 65535, "DeviceApi:Port", "must be 1-65535");
        Check(api.PublicUrl is null || IsHttpUrl(api.PublicUrl), "DeviceApi:PublicUrl", $"'{api.PublicUrl}' is not an absolute http(s) URL");
        Positive(options.CertificateLifetime, "CertificateLifetime");
        Positive(options.CheckInInterval, "CheckInInterval");
        Check(options.CheckInHistoryInterval >= TimeSpan.Zero, "CheckInHistoryInterval", "must be 0 or more");
        Check(options.MaxLogBytes >= 1, "MaxLogBytes", "must be at least 1");
        Check(string.IsNullOrWhiteSpace(options.CaKeyEncryptionKey) || IsKey(options.CaKeyEncryptionKey), "CaKeyEncryptionKey", "must be base64 of exactly 32 bytes");
        Check(options.CaLifetime > options.CertificateLifetime, "CaLifetime", "must be longer than CertificateLifetime");

        var tuf = options.Tuf;
        foreach (var role in TufMetadata.Roles)
        {
            var (keys, threshold) = tuf.For(role);
            var key = char.ToUpperInvariant(role[0]) + role[1..];
            Check(keys >= 1, $"Tuf:{key}Keys", "must be at least 1");
            Check(threshold >= 1 && threshold <= keys, $"Tuf:{key}Threshold", $"must be between 1 and Tuf:{key}Keys ({keys})");
            Positive(tuf.Lifetime(role), $"Tuf:{key}Lifetime");
        }
        Check(tuf.RefreshInterval >= TimeSpan.Zero, "Tuf:RefreshInterval", "must be 0 (off) or more");
        Check(tuf.KeepVersions >= 1, "Tuf:KeepVersions", "must be at least 1");

        Check(options.Artifacts.MaxArtifactBytes >= 1, "Artifacts:MaxBytes", "must be at least 1");
        Check(options.Artifacts.MaxSbomBytes >= 1, "Artifacts:MaxSbomBytes", "must be at least 1");

        var deployments = options.Deployments;
        Positive(deployments.Interval, "Deployments:Interval");
        Positive(deployments.InstallTimeout, "Deployments:InstallTimeout");
        Check(string.IsNullOrEmpty(deployments.WebhookUrl) || IsHttpUrl(deployments.WebhookUrl), "Deployments:WebhookUrl",
            $"'{deployments.WebhookUrl}' is not an absolute http(s) URL");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) => Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";

    private static bool IsKey(string value)
    {
        var bytes = new byte[48];
        return Convert.TryFromBase64String(value, bytes, out var length) && length == 32;
    }
}
