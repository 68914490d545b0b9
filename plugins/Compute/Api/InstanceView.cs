using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Api;

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
