using System.Text.Json;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>
/// Accepts a deploy: reads its fields, then checks name, quota, node capacity and host ports and records the instance
/// in one transaction that locks the node row (so concurrent deploys cannot over-commit a node), then queues the engine work.
/// </summary>
public sealed partial class DeployService(
    InstanceService access, InstanceStore instances, NodeStore nodes, ImageStore images, ICaller caller, DeployQueue queue, ComputeOptions options, TimeProvider clock)
{
    private readonly QuotaLimits _quota = QuotaLimits.From(options.Quota);
    private readonly HostPortRange _portRange = HostPortRange.Parse(options.PortRange, out _)!;

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();

    public sealed record DeployResult(InstanceRow? Instance, FieldErrors? Errors);

    public async Task<DeployResult> DeployAsync(DeployRequest body, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = ReadName(body, errors);
        var image = await ReadImageAsync(body, errors, ct);
        var (memory, nanoCpus) = ReadResources(body, image, errors);
        var (ports, primary) = ReadPorts(body, errors);
        var ownerId = await ReadOwnerAsync(body, errors, ct);
        var node = await ReadNodeAsync(body, errors, ct);
        if (errors.Any) return new(null, errors);

        var now = clock.GetUtcNow();
        var instance = new InstanceRow
        {
            Id = Ids.New(now),
            TeamId = caller.TeamId!,
            OwnerUserId = ownerId,
            Name = name!,
            ImageId = image!.Id,
            ImageReference = image.Reference,
            MemoryBytes = memory!.Value,
            NanoCpus = nanoCpus!.Value,
            PrimaryPort = primary,
            State = InstanceState.Deploying,
            DesiredState = InstanceState.Running,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (await RecordAsync(instance, ports!, node, ct) is { } refused) return new(null, refused);
        queue.Enqueue(instance.Id);
        return new(instance, null);
    }

    private static string? ReadName(DeployRequest body, FieldErrors errors)
    {
        var name = body.Name.Clean();
        if (name is null) errors.Add("name", "is required");
        else if (!NamePattern().IsMatch(name)) errors.Add("name", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        return name;
    }

    private async Task<ImageRow?> ReadImageAsync(DeployRequest body, FieldErrors errors, CancellationToken ct)
    {
        if (body.Image.Clean() is not { } key)
        {
            errors.Add("image", "is required");
            return null;
        }
        var image = await images.FindAsync(key, ct);
        if (image is null) errors.Add("image", $"'{key}' is not in the images catalog");
        return image;
    }

    /// <summary>Memory and CPU as written, or the image's.</summary>
    private static (long? Memory, long? NanoCpus) ReadResources(DeployRequest body, ImageRow? image, FieldErrors errors)
    {
        long? memory = image?.MemoryBytes, nanoCpus = image?.NanoCpus;
        string? error;
        if (body.Memory.Clean() is { } memoryText)
        {
            memory = ResourceSpec.ParseMemory(memoryText, out error);
            if (error is not null) errors.Add("memory", error);
        }
        if (body.Cpu.Clean() is { } cpuText)
        {
            nanoCpus = ResourceSpec.ParseCpu(cpuText, out error);
            if (error is not null) errors.Add("cpu", error);
        }
        return (memory, nanoCpus);
    }

    /// <summary>The port mappings, and the primary port (a container port): the one named (container or host side), else the first.</summary>
    private static (IReadOnlyList<PortMapping>? Ports, int? Primary) ReadPorts(DeployRequest body, FieldErrors errors)
    {
        var ports = ResourceSpec.ParsePorts(body.Ports.Clean(), out var error);
        if (error is not null) errors.Add("ports", error);
        if (body.Primary.Clean() is not { } primaryText) return (ports, ports is { Count: > 0 } ? ports[0].ContainerPort : null);

        var primary = ResourceSpec.ParsePort(primaryText, out error);
        if (error is not null) errors.Add("primary", error);
        else if (ports is not null)
        {
            var match = ports.FirstOrDefault(p => p.ContainerPort == primary) ?? ports.FirstOrDefault(p => p.HostPort == primary);
            if (match is null) errors.Add("primary", $"port {primary} is not one of the mapped ports");
            else primary = match.ContainerPort;
        }
        return (ports, primary);
    }

    /// <summary>The owner: the user named (one the caller may see), else the caller.</summary>
    private async Task<string> ReadOwnerAsync(DeployRequest body, FieldErrors errors, CancellationToken ct)
    {
        if ((body.User.Clean() ?? body.UserId.Clean()) is not { } key) return caller.UserId!;
        if (await access.FindVisibleUserAsync(key, ct) is { } user) return user.Id;
        errors.Add("user", InstanceService.NoUser(key));
        return caller.UserId!;
    }

    /// <summary>The node named by id or name, which must be up; null when none is named (the plugin chooses).</summary>
    private async Task<NodeRow?> ReadNodeAsync(DeployRequest body, FieldErrors errors, CancellationToken ct)
    {
        if ((body.NodeId.Clean() ?? body.Node.Clean()) is not { } key) return null;
        var node = (await nodes.ListAsync(ct)).FirstOrDefault(n => n.Id == key || n.Name == key);
        if (node is null) errors.Add("nodeId", $"no node '{key}'");
        else if (node.Status != NodeStatus.Up) errors.Add("nodeId", $"node {node.Name} is down: {node.LastError}");
        return node;
    }

    /// <summary>Checks and stores the instance in one transaction; the refusal when it does not fit.</summary>
    private async Task<FieldErrors?> RecordAsync(InstanceRow instance, IReadOnlyList<PortMapping> ports, NodeRow? requestedNode, CancellationToken ct)
    {
        await using var placement = await instances.BeginPlacementAsync(nodes, ct);
        var refused = new FieldErrors();
        if (await placement.NameTakenAsync(instance.TeamId, instance.Name))
            return refused.Add("name", $"an instance named '{instance.Name}' already exists");
        await CheckQuotaAsync(instance, refused, placement);
        if (refused.Any) return refused;
        var node = await PlaceAsync(instance, requestedNode, refused, placement, ct);
        if (node is null) return refused;
        instance.NodeId = node.Id;
        await AssignPortsAsync(instance, ports, node, refused, placement);
        if (refused.Any) return refused;
        if (!await placement.TryInsertAsync(instance)) return refused.Add("ports", "a requested host port was just taken by another deploy on this node");
        await placement.CommitAsync(ct);
        return null;
    }

    private async Task CheckQuotaAsync(InstanceRow instance, FieldErrors refused, Placement placement)
    {
        var usage = await placement.UserUsageAsync(instance.OwnerUserId);
        if (usage.Instances + 1 > _quota.MaxInstances)
            refused.Add("user", $"the quota of {_quota.MaxInstances} instances per user is used up");
        if (usage.MemoryBytes + instance.MemoryBytes > _quota.MaxMemoryBytes)
            refused.Add("memory", $"exceeds the user's quota: {ResourceSpec.FormatSize(usage.MemoryBytes)} of {ResourceSpec.FormatSize(_quota.MaxMemoryBytes)} in use");
        if (usage.NanoCpus + instance.NanoCpus > _quota.MaxNanoCpus)
            refused.Add("cpu", $"exceeds the user's quota: {ResourceSpec.Cores(usage.NanoCpus)} of {ResourceSpec.Cores(_quota.MaxNanoCpus)} cores in use");
    }

    /// <summary>The requested node when the instance fits on it, else the up node with the most free declared memory that fits; locked.</summary>
    private async Task<NodeRow?> PlaceAsync(InstanceRow instance, NodeRow? requested, FieldErrors refused, Placement placement, CancellationToken ct)
    {
        if (requested is not null)
        {
            await placement.LockNodeAsync(requested.Id);
            await CheckFitAsync(requested, instance, refused, placement);
            return refused.Any ? null : requested;
        }
        var candidates = new List<(NodeRow Node, long Free)>();
        foreach (var node in (await nodes.ListAsync(ct)).Where(n => n.Status == NodeStatus.Up))
        {
            var used = await placement.NodeUsageAsync(node.Id);
            if (used.MemoryBytes + instance.MemoryBytes <= node.RamBytes && used.NanoCpus + instance.NanoCpus <= node.ProcessorNano)
                candidates.Add((node, node.RamBytes - used.MemoryBytes));
        }
        if (candidates.Count == 0)
        {
            refused.Add("nodeId", "no node that is up has enough free memory and CPU for this instance");
            return null;
        }
        var roomiest = candidates.OrderByDescending(c => c.Free).First().Node;
        await placement.LockNodeAsync(roomiest.Id);
        return roomiest;
    }

    private async Task CheckFitAsync(NodeRow node, InstanceRow instance, FieldErrors refused, Placement placement)
    {
        var used = await placement.NodeUsageAsync(node.Id);
        if (used.MemoryBytes + instance.MemoryBytes > node.RamBytes)
            refused.Add("memory", $"node {node.Name} has {ResourceSpec.FormatSize(Math.Max(0, node.RamBytes - used.MemoryBytes))} of {ResourceSpec.FormatSize(node.RamBytes)} memory free");
        if (used.NanoCpus + instance.NanoCpus > node.ProcessorNano)
            refused.Add("cpu", $"node {node.Name} has {ResourceSpec.Cores(Math.Max(0, node.ProcessorNano - used.NanoCpus))} of {ResourceSpec.Cores(node.ProcessorNano)} cores free");
    }

    /// <summary>Refuses host ports already taken on the node and gives mappings without one a free port from the range.</summary>
    private async Task AssignPortsAsync(InstanceRow instance, IReadOnlyList<PortMapping> ports, NodeRow node, FieldErrors refused, Placement placement)
    {
        var taken = await placement.TakenPortsAsync(node.Id);
        if (ports.FirstOrDefault(p => p.HostPort != 0 && taken.Contains((p.HostPort, p.Protocol))) is { } used)
        {
            refused.Add("ports", $"host port {used.HostPort}/{used.Protocol} is already used on node {node.Name}");
            return;
        }
        var assigned = new List<PortMapping>();
        foreach (var port in ports)
        {
            var hostPort = port.HostPort;
            if (hostPort == 0)
            {
                if (_portRange.FirstFree(p => taken.Contains((p, port.Protocol)) || ports.Any(q => q.HostPort == p && q.Protocol == port.Protocol)) is not { } free)
                {
                    refused.Add("ports", $"no free host port left in {_portRange} on node {node.Name}");
                    return;
                }
                hostPort = free;
            }
            taken.Add((hostPort, port.Protocol));
            assigned.Add(port with { HostPort = hostPort, Assigned = port.HostPort == 0 });
        }
        instance.Ports = JsonSerializer.Serialize(assigned, InstanceStore.Json);
    }
}
