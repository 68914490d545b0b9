namespace Edgeplane.Plugins.Compute.Routes;

/// <summary><c>POST /api/getUser</c>: <see cref="Type"/> is <c>email</c> or <c>username</c>.</summary>
public sealed record UserLookup(string? Type, string? Value);

/// <summary><c>POST /api/users/create</c>; <see cref="UserId"/> is the id the caller chooses (the host assigns one without it).</summary>
public sealed record NewComputeUser(string? Username, string? Email, string? Password, string? UserId, bool? Admin);

/// <summary><c>POST /api/nodes/create</c>: sizes like <c>16g</c>, processor cores, the engine's address.</summary>
public sealed record NewNode(string? Name, List<string>? Tags, string? Ram, string? Disk, string? Processor, string? Address, string? Port, bool? Tls);

/// <summary><c>DELETE /api/nodes/delete</c>: the node by <see cref="NodeId"/> (or <see cref="Id"/>).</summary>
public sealed record NodeDeletion(string? NodeId, string? Id, bool? Force);

/// <summary><c>POST /api/images/create</c>: <see cref="Reference"/> (or <see cref="Image"/>) is what the engine pulls.</summary>
public sealed record NewImage(string? Name, string? Reference, string? Image, string? Memory, string? Cpu, List<string>? Command, string? Description);

/// <summary><c>DELETE /api/images/delete</c>: the image by <see cref="Id"/> or <see cref="Name"/>.</summary>
public sealed record ImageDeletion(string? Id, string? Name);

/// <summary><c>DELETE /api/instance/delete</c>, <c>POST /api/getInstance</c>.</summary>
public sealed record InstanceReference(string? Id);

/// <summary><c>POST /api/getUserInstance</c>: the user by <see cref="UserId"/> (or <see cref="User"/>), id or username.</summary>
public sealed record UserInstancesQuery(string? UserId, string? User);
