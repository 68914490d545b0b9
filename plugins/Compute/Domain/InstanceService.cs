using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Http;
using Edgeplane.Plugins.Compute.Jobs;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>Validates and records deploys (capacity, ports, quota) in one transaction, then queues the engine work.</summary>
public sealed partial class InstanceService(Store store, ICaller caller, IIdentityService identity, DeployQueue queue, ComputeOptions options, TimeProvider clock)
{
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();

    public sealed record DeployResult(InstanceRow? Instance, FieldErrors? Errors);

    /// <summary>
    /// The user named by id or username (letter case ignored, as the host does) when the caller may see them: themselves,
    /// a member of the caller's team, anyone for a host admin. Otherwise null, whether or not the user exists, so that
    /// another team's user and a missing one get the same answer (<see cref="NoUser"/>).
    /// </summary>
    public async Task<UserInfo?> FindVisibleUserAsync(string key, CancellationToken ct)
    {
        var user = await identity.FindUserAsync(key, ct);
        if (user is null || user.Id == caller.UserId || caller.IsHostAdmin) return user;
        return (await identity.ListMembershipsAsync(user.Id, ct)).Any(m => m.TeamId == caller.TeamId) ? user : null;
    }

    public static string NoUser(string key) => $"no user '{key}'";

    public async Task<DeployResult> DeployAsync(DeployRequest body, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = body.Name.Clean();
        if (name is null) errors.Add("name", "is required");
        else if (!NamePattern().IsMatch(name)) errors.Add("name", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");

        ImageRow? image = null;
        if (body.Image.Clean() is not { } imageKey) errors.Add("image", "is required");
        else if ((image = await store.FindImageAsync(imageKey, ct)) is null) errors.Add("image", $"'{imageKey}' is not in the images catalog");

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
        var ports = ResourceSpec.ParsePorts(body.Ports.Clean(), out error);
        if (error is not null) errors.Add("ports", error);

        int? primary = null;
        if (body.Primary.Clean() is { } primaryText)
        {
            primary = ResourceSpec.ParsePort(primaryText, out error);
            if (error is not null) errors.Add("primary", error);
            else if (ports is not null)
            {
                var match = ports.FirstOrDefault(p => p.ContainerPort == primary) ?? ports.FirstOrDefault(p => p.HostPort == primary);
                if (match is null) errors.Add("primary", $"port {primary} is not one of the mapped ports");
                else primary = match.ContainerPort;
            }
        }
        else if (ports is { Count: > 0 })
        {
            primary = ports[0].ContainerPort;
        }

        var ownerId = caller.UserId!;
        if ((body.User.Clean() ?? body.UserId.Clean()) is { } userKey)
        {
            if (await FindVisibleUserAsync(userKey, ct) is { } user) ownerId = user.Id;
            else errors.Add("user", NoUser(userKey));
        }

        NodeRow? requestedNode = null;
        if ((body.NodeId.Clean() ?? body.Node.Clean()) is { } nodeKey)
        {
            requestedNode = (await store.ListNodesAsync(ct)).FirstOrDefault(n => n.Id == nodeKey || n.Name == nodeKey);
            if (requestedNode is null) errors.Add("nodeId", $"no node '{nodeKey}'");
            else if (requestedNode.Status != NodeStatus.Up) errors.Add("nodeId", $"node {requestedNode.Name} is down: {requestedNode.LastError}");
        }
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

        await using var connection = await store.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            if (await store.NameTakenAsync(instance.TeamId, instance.Name, ct, connection, tx))
                return new(null, new FieldErrors().Add("name", $"an instance named '{instance.Name}' already exists"));

            var usage = await store.UserUsageAsync(ownerId, connection, tx);
            if (usage.Instances + 1 > options.QuotaMaxInstances)
                errors.Add("user", $"the quota of {options.QuotaMaxInstances} instances per user is used up");
            if (usage.MemoryBytes + instance.MemoryBytes > options.QuotaMaxMemoryBytes)
                errors.Add("memory", $"exceeds the user's quota: {ResourceSpec.FormatSize(usage.MemoryBytes)} of {ResourceSpec.FormatSize(options.QuotaMaxMemoryBytes)} in use");
            if (usage.NanoCpus + instance.NanoCpus > options.QuotaMaxNanoCpus)
                errors.Add("cpu", $"exceeds the user's quota: {ResourceSpec.Cores(usage.NanoCpus)} of {ResourceSpec.Cores(options.QuotaMaxNanoCpus)} cores in use");
            if (errors.Any) return new(null, errors);

            NodeRow? node = null;
            if (requestedNode is not null)
            {
                await LockNodeAsync(connection, tx, requestedNode.Id);
                var fit = await FitsAsync(requestedNode, instance, connection, tx);
                if (fit is not null) return new(null, fit);
                node = requestedNode;
            }
            else
            {
                // The up node with the most free declared memory that fits.
                var candidates = new List<(NodeRow Node, long Free)>();
                foreach (var n in (await store.ListNodesAsync(ct)).Where(n => n.Status == NodeStatus.Up))
                {
                    var used = await store.NodeUsageAsync(n.Id, ct, connection, tx);
                    if (used.MemoryBytes + instance.MemoryBytes <= n.RamBytes && used.NanoCpus + instance.NanoCpus <= n.ProcessorNano)
                        candidates.Add((n, n.RamBytes - used.MemoryBytes));
                }
                if (candidates.Count == 0)
                    return new(null, new FieldErrors().Add("nodeId", "no node that is up has enough free memory and CPU for this instance"));
                node = candidates.OrderByDescending(c => c.Free).First().Node;
                await LockNodeAsync(connection, tx, node.Id);
            }
            instance.NodeId = node.Id;

            var taken = await store.TakenPortsAsync(node.Id, connection, tx);
            var assigned = new List<PortMapping>();
            foreach (var port in ports!)
            {
                if (port.HostPort != 0 && taken.Contains((port.HostPort, port.Protocol)))
                    return new(null, new FieldErrors().Add("ports", $"host port {port.HostPort}/{port.Protocol} is already used on node {node.Name}"));
            }
            foreach (var port in ports!)
            {
                var hostPort = port.HostPort;
                if (hostPort == 0)
                {
                    hostPort = Enumerable.Range(options.PortRangeStart, options.PortRangeEnd - options.PortRangeStart + 1)
                        .FirstOrDefault(p => !taken.Contains((p, port.Protocol)) && !ports.Any(q => q.HostPort == p && q.Protocol == port.Protocol));
                    if (hostPort == 0)
                        return new(null, new FieldErrors().Add("ports", $"no free host port left in {options.PortRangeStart}-{options.PortRangeEnd} on node {node.Name}"));
                }
                taken.Add((hostPort, port.Protocol));
                assigned.Add(port with { HostPort = hostPort });
            }
            instance.Ports = JsonSerializer.Serialize(assigned, Store.Json);

            await Store.InsertInstanceAsync(instance, connection, tx);
            await tx.CommitAsync(ct);
        }
        catch (DbException e) when (store.Dialect.IsUniqueViolation(e))
        {
            return new(null, new FieldErrors().Add("ports", "a requested host port was just taken by another deploy on this node"));
        }
        queue.Enqueue(instance.Id);
        return new(instance, null);
    }

    /// <summary>Serialises deploys onto one node (a row lock on PostgreSQL; SQLite's write transaction already does).</summary>
    private static Task LockNodeAsync(DbConnection connection, DbTransaction tx, string nodeId) =>
        connection.ExecuteAsync("UPDATE compute_nodes SET updated_at = updated_at WHERE id = @nodeId", new { nodeId }, tx);

    private async Task<FieldErrors?> FitsAsync(NodeRow node, InstanceRow instance, DbConnection connection, DbTransaction tx)
    {
        var used = await store.NodeUsageAsync(node.Id, default, connection, tx);
        var errors = new FieldErrors();
        if (used.MemoryBytes + instance.MemoryBytes > node.RamBytes)
            errors.Add("memory", $"node {node.Name} has {ResourceSpec.FormatSize(Math.Max(0, node.RamBytes - used.MemoryBytes))} of {ResourceSpec.FormatSize(node.RamBytes)} memory free");
        if (used.NanoCpus + instance.NanoCpus > node.ProcessorNano)
            errors.Add("cpu", $"node {node.Name} has {ResourceSpec.Cores(Math.Max(0, node.ProcessorNano - used.NanoCpus))} of {ResourceSpec.Cores(node.ProcessorNano)} cores free");
        return errors.Any ? errors : null;
    }

    /// <summary>The instance when the caller may see it (own team, or host admin); deleted ones too.</summary>
    public async Task<InstanceRow?> FindVisibleAsync(string? id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id) || !Ids.IsValid(id)) return null;
        var instance = await store.FindInstanceAsync(id, ct);
        return instance is not null && (caller.IsHostAdmin || instance.TeamId == caller.TeamId) ? instance : null;
    }

    public async Task<QuotaView> QuotaAsync(string userId, CancellationToken ct)
    {
        var usage = await store.UserUsageAsync(userId, ct);
        return new QuotaView(userId, options.QuotaMaxInstances, usage.Instances, ResourceSpec.FormatSize(options.QuotaMaxMemoryBytes), options.QuotaMaxMemoryBytes,
            usage.MemoryBytes, ResourceSpec.Cores(options.QuotaMaxNanoCpus), ResourceSpec.Cores(usage.NanoCpus));
    }
}
