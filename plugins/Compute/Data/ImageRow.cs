using System.Text.Json;

namespace Edgeplane.Plugins.Compute.Data;

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
