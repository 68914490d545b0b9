namespace Edgeplane.Plugins.Compute.Data;

/// <summary>One published port: a host port on the node (on the publish address) to a container port.</summary>
public sealed record PortMapping(int HostPort, int ContainerPort, string Protocol)
{
    /// <summary>The engine's key for the container side, e.g. <c>80/tcp</c>.</summary>
    public string ContainerKey => $"{ContainerPort}/{Protocol}";

    public override string ToString() => $"{HostPort}:{ContainerPort}/{Protocol}";
}
