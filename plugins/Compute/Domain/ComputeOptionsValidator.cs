using Edgeplane.Abstractions.Network;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>Checks the plugin's settings when the host starts: each bad value is named with its key and the reason.</summary>
public sealed class ComputeOptionsValidator : IValidateOptions<ComputeOptions>
{
    private const string Section = "Edgeplane:Plugins:compute:";

    public ValidateOptionsResult Validate(string? name, ComputeOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string key, string message)
        {
            if (!valid) failures.Add($"{Section}{key}: {message}");
        }
        string? error;
        Check(IpText.TryParseAddress(options.PublishAddress, out _), "PublishAddress", $"'{options.PublishAddress}' is not an IP address");
        Check(options.StopTimeoutSeconds > 0, "StopTimeoutSeconds", "must be greater than 0");
        Check(options.ReconcileIntervalSeconds > 0, "ReconcileIntervalSeconds", "must be greater than 0");
        Check(options.DeployTimeoutSeconds > 0, "DeployTimeoutSeconds", "must be greater than 0");
        Check(options.DeployConcurrency is >= 1 and <= 64, "DeployConcurrency", "must be 1-64");
        Check(HostPortRange.Parse(options.PortRange, out error) is not null, "PortRange", error!);
        Check(options.Quota.MaxInstances >= 0, "Quota:MaxInstances", "must be 0 or more");
        Check(ResourceSpec.ParseSize(options.Quota.MaxMemory, out error) is not null, "Quota:MaxMemory", error!);
        Check(ResourceSpec.ParseCpu(options.Quota.MaxCpu, out error) is not null, "Quota:MaxCpu", error!);
        foreach (var (key, file) in new[] { ("Tls:CaFile", options.Tls.CaFile), ("Tls:CertFile", options.Tls.CertFile), ("Tls:KeyFile", options.Tls.KeyFile) })
            Check(string.IsNullOrEmpty(file) || File.Exists(file), key, $"no file '{file}'");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
