using System.Diagnostics.Metrics;

namespace Edgeplane.Plugins.Ebpf;

/// <summary>The plugin's instruments (meter <c>Edgeplane.Plugins.Ebpf</c>), exported by the host's <c>/metrics</c>.</summary>
public sealed class EbpfMetrics
{
    public const string MeterName = "Edgeplane.Plugins.Ebpf";
    private readonly Counter<long> _reports;
    private readonly Counter<long> _enrollments;
    private readonly Counter<long> _objects;
    private readonly Histogram<double> _ingest;

    public EbpfMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _reports = meter.CreateCounter<long>("edgeplane.ebpf.reports", "{report}", "Agent reports by outcome (accepted, unauthorized, forbidden, malformed, too_large)");
        _enrollments = meter.CreateCounter<long>("edgeplane.ebpf.enrollments", "{enrollment}", "Enrollment attempts by outcome (enrolled, refused)");
        _objects = meter.CreateCounter<long>("edgeplane.ebpf.objects.changes", "{object}", "Programs and maps that appeared or disappeared on nodes");
        _ingest = meter.CreateHistogram<double>("edgeplane.ebpf.ingest.duration", "s", "Time to store one accepted report");
    }

    public void Report(string outcome) => _reports.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Enrollment(string outcome) => _enrollments.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Ingested(int appeared, int disappeared, TimeSpan elapsed)
    {
        if (appeared > 0) _objects.Add(appeared, new KeyValuePair<string, object?>("change", "appeared"));
        if (disappeared > 0) _objects.Add(disappeared, new KeyValuePair<string, object?>("change", "disappeared"));
        _ingest.Record(elapsed.TotalSeconds);
    }
}
