namespace Edgeplane.Plugins.Compute.Api;

/// <summary><c>DELETE /api/instance/delete</c>, <c>POST /api/getInstance</c>.</summary>
public sealed record InstanceReference(string? Id);

/// <summary><c>POST /api/getUserInstance</c>: the user by <see cref="UserId"/> (or <see cref="User"/>), id or username.</summary>
public sealed record UserInstancesQuery(string? UserId, string? User);
