using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>An instance's state from its container's state on the engine.</summary>
public static class ObservedState
{
    /// <summary>A container that is not running is <c>stopped</c> when a power action asked for it, otherwise <c>exited</c>.</summary>
    public static string Of(string? engineState, string desiredState) => engineState?.ToLowerInvariant() switch
    {
        "running" => InstanceState.Running,
        "restarting" => InstanceState.Restarting,
        "paused" => InstanceState.Paused,
        _ => desiredState == InstanceState.Stopped ? InstanceState.Stopped : InstanceState.Exited,
    };
}
