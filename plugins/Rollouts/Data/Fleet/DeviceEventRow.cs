namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>A row of <c>rollouts_device_events</c>: one entry of a device's history.</summary>
public sealed class DeviceEventRow
{
    public string Id { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string Kind { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Details { get; set; } = "{}";
}
