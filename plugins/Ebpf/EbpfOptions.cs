using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Ebpf;

/// <summary>The plugin's settings, from <c>Edgeplane:Plugins:ebpf</c>.</summary>
public sealed class EbpfOptions
{
    /// <summary>How often agents are asked to report (seconds), returned at enrollment.</summary>
    public int ReportIntervalSeconds { get; set; } = 30;
    /// <summary>A node whose last report is older than this is <c>stale</c>.</summary>
    public int StaleAfterSeconds { get; set; } = 90;
    /// <summary>A node whose last report is older than this is <c>offline</c>.</summary>
    public int OfflineAfterSeconds { get; set; } = 600;
    /// <summary>Largest report body accepted (bytes); larger answers 413.</summary>
    public long MaxReportBytes { get; set; } = 16 * 1024 * 1024;
    /// <summary>Most programs plus maps in one report.</summary>
    public int MaxObjectsPerReport { get; set; } = 100_000;
    /// <summary>Most reports written in one transaction (group commit).</summary>
    public int IngestBatchReports { get; set; } = 64;
    /// <summary>A batch takes no more reports once it holds this many programs and maps (it always takes one).</summary>
    public int IngestBatchObjects { get; set; } = 50_000;

    public static EbpfOptions From(IConfiguration configuration)
    {
        var options = new EbpfOptions();
        configuration.Bind(options);
        if (options.ReportIntervalSeconds < 1) options.ReportIntervalSeconds = 30;
        if (options.StaleAfterSeconds < 1) options.StaleAfterSeconds = 3 * options.ReportIntervalSeconds;
        if (options.OfflineAfterSeconds < options.StaleAfterSeconds) options.OfflineAfterSeconds = options.StaleAfterSeconds;
        if (options.MaxReportBytes < 1024) options.MaxReportBytes = 1024;
        if (options.IngestBatchReports < 1) options.IngestBatchReports = 1;
        if (options.IngestBatchObjects < 1) options.IngestBatchObjects = 1;
        return options;
    }
}
