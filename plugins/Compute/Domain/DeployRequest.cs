namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>
/// <c>POST /api/instances/deploy</c>: the seed types every field as a string (sizes like <c>256m</c>, CPUs like
/// <c>0.5</c>, ports like <c>8080:80,443</c>); numbers are accepted too. <see cref="User"/> or <see cref="UserId"/>,
/// <see cref="NodeId"/> or <see cref="Node"/>, name the same thing.
/// </summary>
public sealed record DeployRequest(
    string? Name, string? Image, string? Memory, string? Cpu, string? Ports, string? Primary,
    string? User, string? UserId, string? NodeId, string? Node);
