namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

/// <summary>What the device list filters by: a name substring, a status, a device type, labels that must all match, a group.</summary>
public sealed record DeviceFilter(string? Name, string? Status, string? DeviceType, IReadOnlyDictionary<string, string> Labels, string? GroupId);
