using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Http;

public sealed record PortView(int HostPort, int ContainerPort, string Protocol);

public sealed record InstanceView(
    string Id, string Name, string ImageId, string Image, string NodeId, string UserId, string TeamId,
    string Memory, long MemoryBytes, double Cpu, IReadOnlyList<PortView> Ports, int? Primary, int? PrimaryHostPort, string? Url,
    string State, string DesiredState, string? Message, string? ContainerId, int? ExitCode,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt)
{
    public static InstanceView From(InstanceRow r, string publishAddress)
    {
        var ports = r.PortList;
        var primary = ports.FirstOrDefault(p => p.ContainerPort == r.PrimaryPort && p.Protocol == "tcp") ?? ports.FirstOrDefault(p => p.ContainerPort == r.PrimaryPort);
        var host = publishAddress.Contains(':') ? $"[{publishAddress}]" : publishAddress;
        return new InstanceView(r.Id, r.Name, r.ImageId, r.ImageReference, r.NodeId, r.OwnerUserId, r.TeamId,
            ResourceSpec.FormatSize(r.MemoryBytes), r.MemoryBytes, ResourceSpec.Cores(r.NanoCpus),
            ports.Select(p => new PortView(p.HostPort, p.ContainerPort, p.Protocol)).ToList(), r.PrimaryPort, primary?.HostPort,
            primary is { Protocol: "tcp" } ? $"http://{host}:{primary.HostPort}/" : null,
            r.State, r.DesiredState, r.Message, r.ContainerId, r.ExitCode, r.CreatedAt, r.UpdatedAt, r.DeletedAt);
    }
}

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

public sealed record ImageView(string Id, string Name, string Reference, string Memory, long MemoryBytes, double Cpu, IReadOnlyList<string>? Command, string? Description, DateTimeOffset CreatedAt)
{
    public static ImageView From(ImageRow i) =>
        new(i.Id, i.Name, i.Reference, ResourceSpec.FormatSize(i.MemoryBytes), i.MemoryBytes, ResourceSpec.Cores(i.NanoCpus), i.CommandList, i.Description, i.CreatedAt);
}

public sealed record StatsView(DateTimeOffset Read, double? CpuPercent, ulong MemoryUsageBytes, ulong MemoryLimitBytes, double? MemoryPercent, ulong Pids, ulong NetworkRxBytes, ulong NetworkTxBytes);

public sealed record QuotaView(string UserId, long MaxInstances, long Instances, string MaxMemory, long MaxMemoryBytes, long MemoryBytes, double MaxCpu, double Cpu);
