using System.Text.Json;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Engine;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>
/// Registers and removes nodes. A node is stored only when its engine answers, and brings its local images to the
/// catalog; a node with instances is removed only when forced, after their containers.
/// </summary>
public sealed class NodeRegistry(NodeStore nodes, ImageStore images, InstanceStore instances, EngineClients clients, IAuditLog audit, TimeProvider clock)
{
    /// <summary>The node stored, or why not: field errors (400) or a conflict (409).</summary>
    public sealed record Registration(NodeRow? Node, FieldErrors? Errors, string? Conflict);

    public async Task<Registration> RegisterAsync(NewNodeSpec spec, CancellationToken ct)
    {
        var engine = clients.For(spec.Endpoint);
        EngineVersion version;
        try
        {
            version = await engine.GetVersionAsync(ct);
        }
        catch (Exception e) when (e is EngineUnreachableException or EngineException)
        {
            return new(null, new FieldErrors().Add("address", $"no container engine answers at {spec.Endpoint}: {e.Message}"), null);
        }
        var node = NewNode(spec, version);
        if (!await nodes.TryInsertAsync(node, ct)) return new(null, null, $"a node named '{spec.Name}' already exists");
        await audit.RecordAsync("compute.node.create", node.Id, new { node.Name, address = spec.Endpoint.ToString(), node.Engine }, ct);
        await LocalImages.AddToCatalogAsync(images, engine, node, audit, clock, ct);
        return new(node, null, null);
    }

    private NodeRow NewNode(NewNodeSpec spec, EngineVersion version)
    {
        var now = clock.GetUtcNow();
        var endpoint = spec.Endpoint;
        return new NodeRow
        {
            Id = Ids.New(now),
            Name = spec.Name,
            Tags = JsonSerializer.Serialize(spec.Tags),
            RamBytes = spec.RamBytes,
            DiskBytes = spec.DiskBytes,
            ProcessorNano = spec.ProcessorNano,
            Address = endpoint.IsUnix ? "unix://" + endpoint.SocketPath : endpoint.Host!,
            Port = endpoint.IsUnix ? null : endpoint.Port,
            Tls = endpoint.Tls,
            Status = NodeStatus.Up,
            Engine = version.Describe(),
            ApiVersion = version.ApiVersion,
            LastSeenAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Removes the node, or says why not (it has instances and <paramref name="force"/> is not set).</summary>
    public async Task<string?> DeleteAsync(NodeRow node, bool force, CancellationToken ct)
    {
        var live = await instances.ListLiveOnNodeAsync(node.Id, ct);
        if (live.Count > 0 && !force)
            return $"node {node.Name} has {live.Count} instance(s); delete them first or pass \"force\": true";
        foreach (var instance in live)
        {
            try
            {
                await clients.For(node).DestroyContainerAsync(instance.ContainerId ?? instance.ContainerName, ct);
            }
            catch (Exception e) when (e is EngineUnreachableException or EngineException)
            {
                // The node is going away; its containers are the operator's to clean up if it is unreachable.
            }
        }
        await nodes.DeleteAsync(node.Id, force, ct);
        await audit.RecordAsync("compute.node.delete", node.Id, new { node.Name, force, instances = live.Count }, ct);
        return null;
    }
}
