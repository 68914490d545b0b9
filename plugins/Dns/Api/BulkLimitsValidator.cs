using Edgeplane.Plugins.Dns.Domain;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>Checks the bulk routes' limits when the host starts: each bad value is named with its key and the reason.</summary>
public sealed class BulkLimitsValidator : IValidateOptions<BulkLimits>
{
    public ValidateOptionsResult Validate(string? name, BulkLimits limits)
    {
        var failures = new SettingFailures();
        failures.Range(limits.MaxBulkChanges, 1, int.MaxValue, "MaxBulkChanges");
        failures.Range(limits.MaxImportRecords, 1, int.MaxValue, "MaxImportRecords");
        failures.Range(limits.ImportTimeoutSeconds, 1, 3600, "ImportTimeoutSeconds");
        foreach (var entry in limits.ImportPrimaries)
            failures.Check(SettingFailures.IsAddressOrPrefix(entry), "ImportPrimaries", $"'{entry}' is not an IP address or CIDR prefix");
        return failures.Result;
    }
}
