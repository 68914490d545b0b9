using System.Diagnostics.Metrics;
using Edgeplane.Host.Plugins;

namespace Edgeplane.Host.Observability;

/// <summary>
/// The host's own instruments (meter <c>Edgeplane.Host</c>): one gauge per plugin and state
/// (1 for the state the plugin is in, 0 for the others, so an alert can watch
/// <c>edgeplane_plugin_state{state="failed"} == 1</c>) and each plugin's load time.
/// </summary>
public sealed class HostMetrics
{
    public const string MeterName = "Edgeplane.Host";

    private static readonly PluginState[] States = Enum.GetValues<PluginState>();

    public HostMetrics(IMeterFactory meters, PluginCatalog catalog)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("edgeplane.plugin.state", () => PluginLabels.For(catalog).SelectMany(p => States.Select(s =>
                new Measurement<int>(p.Entry.State == s ? 1 : 0,
                    new("plugin", p.Label), new("state", s.ToString().ToLowerInvariant()), new("version", p.Entry.Version)))),
            description: "Plugin state: 1 for the state each discovered plugin is in, 0 for the others.");
        meter.CreateObservableGauge("edgeplane.plugin.load.duration", () => PluginLabels.For(catalog).Select(p =>
                new Measurement<double>(p.Entry.LoadTime.TotalSeconds, new KeyValuePair<string, object?>("plugin", p.Label))),
            unit: "s", description: "Time each plugin took to load, register and map its routes at startup.");
    }
}
