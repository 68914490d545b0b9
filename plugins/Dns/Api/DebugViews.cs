namespace Edgeplane.Plugins.Dns.Api;

public sealed record ViewReloaded(int Zones, long Generation, DateTimeOffset LoadedAt);

public sealed record ViewRebuilt(string Message, int Zones, long Generation);

/// <summary>The NOTIFY queue: sends in flight, pending ones, and the first 100 of them.</summary>
public sealed record QueueStatus(int Running, int Ready, IReadOnlyList<QueuedNotify> Tasks);

public sealed record QueuedNotify(string Zone, long Serial, string Target, string Kind);

public sealed record QueueCleared(int Cleared);

public sealed record CollectorFile(string File, int Targets);

/// <summary>Every enabled node's SOA serial of every zone.</summary>
public sealed record NodesHealth(IReadOnlyList<NodeHealth> Nodes, bool Healthy);

public sealed record NodeHealth(string Node, string Address, bool Healthy, IReadOnlyList<ZoneHealth> Zones);

public sealed record ZoneHealth(string Zone, long Expected, long? Serial, long? Lag, string Status);
