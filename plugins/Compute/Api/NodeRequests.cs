namespace Edgeplane.Plugins.Compute.Api;

/// <summary><c>POST /api/nodes/create</c>: sizes like <c>16g</c>, processor cores, the engine's address.</summary>
public sealed record NewNode(string? Name, List<string>? Tags, string? Ram, string? Disk, string? Processor, string? Address, string? Port, bool? Tls);

/// <summary><c>DELETE /api/nodes/delete</c>: the node by <see cref="NodeId"/> (or <see cref="Id"/>).</summary>
public sealed record NodeDeletion(string? NodeId, string? Id, bool? Force);
