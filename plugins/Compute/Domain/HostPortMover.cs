using System.Text.Json;
using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>
/// Moves the host ports the plugin chose for an instance (<see cref="PortMapping.Assigned"/>) to other free ports of
/// <c>PortRange</c> when the node reports them in use by something the database does not know about: another program,
/// or another control plane sharing the engine. Ports a deploy named itself are never moved.
/// </summary>
public sealed class HostPortMover(InstanceStore instances, NodeStore nodes, ComputeOptions options)
{
    private readonly HostPortRange _portRange = HostPortRange.Parse(options.PortRange, out _)!;

    /// <summary>
    /// Adds the instance's chosen ports to <paramref name="busy"/> and moves them to free ones: the moved instance;
    /// null when it chose none (nothing to move); the reason when the range has no free port left.
    /// </summary>
    public async Task<(InstanceRow? Moved, string? Error)> MoveAsync(InstanceRow instance, NodeRow node, ISet<(int Port, string Protocol)> busy, CancellationToken ct)
    {
        var ports = instance.PortList;
        if (!ports.Any(p => p.Assigned)) return (null, null);
        foreach (var port in ports.Where(p => p.Assigned)) busy.Add((port.HostPort, port.Protocol));

        await using var placement = await instances.BeginPlacementAsync(nodes, ct);
        await placement.LockNodeAsync(instance.NodeId);
        var taken = await placement.TakenPortsAsync(instance.NodeId);
        taken.UnionWith(busy);
        var moved = new List<PortMapping>();
        foreach (var port in ports)
        {
            if (!port.Assigned)
            {
                moved.Add(port);
                continue;
            }
            if (_portRange.FirstFree(p => taken.Contains((p, port.Protocol))) is not { } free)
                return (null, $"no free host port left in {_portRange} on node {node.Name}: the ones the plugin chose are in use there");
            taken.Add((free, port.Protocol));
            moved.Add(port with { HostPort = free });
        }
        instance.Ports = JsonSerializer.Serialize(moved, InstanceStore.Json);
        await placement.ReplacePortsAsync(instance);
        await placement.CommitAsync(ct);
        return (instance, null);
    }
}
