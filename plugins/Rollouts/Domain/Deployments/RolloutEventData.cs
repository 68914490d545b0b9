using Edgeplane.Abstractions.Events;
using Edgeplane.Plugins.Rollouts.Data.Deployments;

namespace Edgeplane.Plugins.Rollouts.Domain.Deployments;

// A rollout's events: written to its timeline, published in-process and posted to the optional webhook (camelCase JSON).

public sealed record RolloutCreated(string RolloutId, string Name, int Devices, string State) : IEventData
{
    public static string Type => "rollouts.rollout.created";
}

public sealed record RolloutApproved(string RolloutId, string? ApprovedBy) : IEventData
{
    public static string Type => "rollouts.rollout.approved";
}

public sealed record RolloutResumed(string RolloutId, string? By, int AcknowledgedFailures) : IEventData
{
    public static string Type => "rollouts.rollout.resumed";
}

public sealed record RolloutAborted(string RolloutId, string? By, int StoppedDevices) : IEventData
{
    public static string Type => "rollouts.rollout.aborted";
}

public sealed record RolloutPaused(string RolloutId, string Name, int Phase, int Failed, int Released, double FailureRate, double Threshold, string? Reason) : IEventData
{
    public static string Type => "rollouts.rollout.paused";
}

public sealed record RolloutCompleted(string RolloutId, string Name, int Released, int Failed) : IEventData
{
    public static string Type => "rollouts.rollout.completed";
}

public sealed record RolloutPhaseStarted(string RolloutId, string Name, int Phase, int Percent) : IEventData
{
    public static string Type => "rollouts.rollout.phase_started";
}
