using System.Diagnostics.Metrics;

namespace Edgeplane.Plugins.Compute.Jobs;

/// <summary>The plugin's metrics (meter <c>Edgeplane.Compute</c>).</summary>
public sealed class ComputeMetrics
{
    private readonly Counter<long> _deploys;
    private readonly Histogram<double> _deploySeconds;
    private readonly Counter<long> _reconciled;

    public ComputeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Edgeplane.Compute");
        _deploys = meter.CreateCounter<long>("edgeplane_compute_deploys", description: "Deploys finished, by result");
        _deploySeconds = meter.CreateHistogram<double>("edgeplane_compute_deploy_seconds", "s", "Time from accepted deploy to running container");
        _reconciled = meter.CreateCounter<long>("edgeplane_compute_state_changes", description: "Instance state changes found by reconciliation");
    }

    public void Deployed(TimeSpan elapsed, bool success)
    {
        var result = new KeyValuePair<string, object?>("result", success ? "running" : "failed");
        _deploys.Add(1, result);
        if (success) _deploySeconds.Record(elapsed.TotalSeconds);
    }

    public void StateChanged(string state) => _reconciled.Add(1, new KeyValuePair<string, object?>("state", state));
}
