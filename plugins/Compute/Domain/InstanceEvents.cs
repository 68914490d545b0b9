using Edgeplane.Abstractions.Events;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>An instance's observed state changed (the reconciler saw its container start, stop, exit or vanish).</summary>
public sealed record InstanceStateChanged(string Id, string Name, string State, string Previous, string? Message, int? ExitCode) : IEventData
{
    public static string Type => "compute.instance.state";
}

/// <summary>An instance's container was created and started on its node.</summary>
public sealed record InstanceRunning(string Id, string Name, string NodeId, string ContainerId) : IEventData
{
    public static string Type => "compute.instance.running";
}

/// <summary>An instance could not be deployed on its node.</summary>
public sealed record InstanceFailed(string Id, string Name, string NodeId, string Message) : IEventData
{
    public static string Type => "compute.instance.failed";
}
