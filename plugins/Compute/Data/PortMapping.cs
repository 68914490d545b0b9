namespace Edgeplane.Plugins.Compute.Data;

/// <summary>
/// One published port: a host port on the node (on the publish address) to a container port.
/// <paramref name="Assigned"/>: the plugin chose the host port from <c>PortRange</c> (the deploy named only the container port).
/// </summary>
public sealed record PortMapping(int HostPort, int ContainerPort, string Protocol, bool Assigned = false)
{
    /// <summary>The engine's key for the container side, e.g. <c>80/tcp</c>.</summary>
    public string ContainerKey => $"{ContainerPort}/{Protocol}";

    public override string ToString() => $"{HostPort}:{ContainerPort}/{Protocol}";
}
