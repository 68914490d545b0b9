using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Ebpf.Domain;

/// <summary>Checks the plugin's settings when the host starts: each bad value is named with its key and the reason.</summary>
public sealed class EbpfOptionsValidator : IValidateOptions<EbpfOptions>
{
    private const string Section = "Edgeplane:Plugins:ebpf:";

    public ValidateOptionsResult Validate(string? name, EbpfOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string key, string message)
        {
            if (!valid) failures.Add($"{Section}{key}: {message}");
        }
        Check(options.ReportIntervalSeconds >= 1, "ReportIntervalSeconds", "must be at least 1");
        Check(options.StaleAfterSeconds >= 1, "StaleAfterSeconds", "must be at least 1");
        Check(options.OfflineAfterSeconds >= options.StaleAfterSeconds, "OfflineAfterSeconds", $"must be at least StaleAfterSeconds ({options.StaleAfterSeconds})");
        Check(options.MaxReportBytes >= 1024, "MaxReportBytes", "must be at least 1024");
        Check(options.MaxObjectsPerReport >= 1, "MaxObjectsPerReport", "must be at least 1");
        Check(options.IngestBatchReports >= 1, "IngestBatchReports", "must be at least 1");
        Check(options.IngestBatchObjects >= 1, "IngestBatchObjects", "must be at least 1");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
