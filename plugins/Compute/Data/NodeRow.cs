using System.Text.Json;

namespace Edgeplane.Plugins.Compute.Data;

public static class NodeStatus
{
    public const string Up = "up";
    public const string Down = "down";
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

/// <summary>Declared capacity already promised to instances on a node.</summary>
public sealed class NodeUsage
{
    public long MemoryBytes { get; set; }
    public long NanoCpus { get; set; }
    public long Instances { get; set; }
}
