using System.Text.Json;

namespace Edgeplane.Plugins.Compute.Data;

public static class InstanceState
{
    public const string Deploying = "deploying";
    public const string Running = "running";
    /// <summary>Stopped by a power action.</summary>
    public const string Stopped = "stopped";
    /// <summary>The container exited on its own (or was killed behind the plugin's back).</summary>
    public const string Exited = "exited";
    public const string Restarting = "restarting";
    public const string Paused = "paused";
    public const string Failed = "failed";
    /// <summary>The container disappeared from the engine.</summary>
    public const string Missing = "missing";
    /// <summary>The node's engine cannot be reached.</summary>
    public const string Unknown = "unknown";
    public const string Deleted = "deleted";
}

public sealed class InstanceRow
{
    public string Id { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string OwnerUserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string ImageId { get; set; } = "";
    public string ImageReference { get; set; } = "";
    public string NodeId { get; set; } = "";
    public long MemoryBytes { get; set; }
    public long NanoCpus { get; set; }
    public string Ports { get; set; } = "[]";
    public int? PrimaryPort { get; set; }
    public string State { get; set; } = InstanceState.Deploying;
    public string DesiredState { get; set; } = InstanceState.Running;
    public string? Message { get; set; }
    public string? ContainerId { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public IReadOnlyList<PortMapping> PortList => JsonSerializer.Deserialize<PortMapping[]>(Ports, InstanceStore.Json) ?? [];

    /// <summary>The name of the container on the engine.</summary>
    public string ContainerName => "edgeplane-" + Id;
}

/// <summary>What one user's instances hold, for the quota.</summary>
public sealed class UserUsage
{
    public long MemoryBytes { get; set; }
    public long NanoCpus { get; set; }
    public long Instances { get; set; }
}

public sealed class PortRow
{
    public long HostPort { get; set; }
    public string Protocol { get; set; } = "tcp";
}
