using System.Text.Json;

namespace Edgeplane.Plugins.Compute.Data;

public static class NodeStatus
{
    public const string Up = "up";
    public const string Down = "down";
}

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

public sealed class NodeRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Tags { get; set; } = "[]";
    public long RamBytes { get; set; }
    public long DiskBytes { get; set; }
    public long ProcessorNano { get; set; }
    public string Address { get; set; } = "";
    public int? Port { get; set; }
    public bool Tls { get; set; }
    public string Status { get; set; } = NodeStatus.Up;
    public string? Engine { get; set; }
    public string? ApiVersion { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> TagList => JsonSerializer.Deserialize<string[]>(Tags) ?? [];
}

public sealed class ImageRow
{
    public const string DefaultMemory = "256m";
    public const string DefaultCpu = "1";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Reference { get; set; } = "";
    public long MemoryBytes { get; set; }
    public long NanoCpus { get; set; }
    public string? Command { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public IReadOnlyList<string>? CommandList => Command is null ? null : JsonSerializer.Deserialize<string[]>(Command);
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

    public IReadOnlyList<PortMapping> PortList => JsonSerializer.Deserialize<PortMapping[]>(Ports, Store.Json) ?? [];

    /// <summary>The name of the container on the engine.</summary>
    public string ContainerName => "edgeplane-" + Id;
}

/// <summary>Declared capacity already promised to instances on a node.</summary>
public sealed class NodeUsage
{
    public long MemoryBytes { get; set; }
    public long NanoCpus { get; set; }
    public long Instances { get; set; }
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
