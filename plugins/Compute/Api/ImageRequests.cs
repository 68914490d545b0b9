namespace Edgeplane.Plugins.Compute.Api;

/// <summary><c>POST /api/images/create</c>: <see cref="Reference"/> (or <see cref="Image"/>) is what the engine pulls.</summary>
public sealed record NewImage(string? Name, string? Reference, string? Image, string? Memory, string? Cpu, List<string>? Command, string? Description);

/// <summary><c>DELETE /api/images/delete</c>: the image by <see cref="Id"/> or <see cref="Name"/>.</summary>
public sealed record ImageDeletion(string? Id, string? Name);
