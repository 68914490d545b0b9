using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Api;

public sealed record NodeAllocation(string Memory, long MemoryBytes, double Cpu, long Instances);

public sealed record NodeView(
    string Id, string Name, IReadOnlyList<string> Tags, string Ram, long RamBytes, string Disk, long DiskBytes, double Processor,
    string Address, int? Port, bool Tls, string Status, string? Engine, string? ApiVersion, string? LastError, DateTimeOffset? LastSeenAt,
    DateTimeOffset CreatedAt, NodeAllocation? Allocated)
{
    public static NodeView From(NodeRow n, NodeUsage? usage) => new(
        n.Id, n.Name, n.TagList, ResourceSpec.FormatSize(n.RamBytes), n.RamBytes, ResourceSpec.FormatSize(n.DiskBytes), n.DiskBytes, ResourceSpec.Cores(n.ProcessorNano),
        n.Address, n.Port, n.Tls, n.Status, n.Engine, n.ApiVersion, n.LastError, n.LastSeenAt, n.CreatedAt,
        usage is null ? null : new NodeAllocation(ResourceSpec.FormatSize(usage.MemoryBytes), usage.MemoryBytes, ResourceSpec.Cores(usage.NanoCpus), usage.Instances));
}
