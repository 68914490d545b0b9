namespace Edgeplane.Plugins.Ebpf;

/// <summary>
/// The plugin's settings, bound from <c>Edgeplane:Plugins:ebpf</c> and checked when the host starts
/// (<c>Domain/EbpfOptionsValidator</c>): a bad value fails the plugin naming its key instead of being replaced.
/// </summary>
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
}
