namespace Edgeplane.Plugins.Compute.Api;

/// <summary><c>POST /api/getUser</c>: <see cref="Type"/> is <c>email</c> or <c>username</c>.</summary>
public sealed record UserLookup(string? Type, string? Value);

/// <summary><c>POST /api/users/create</c>; <see cref="UserId"/> is the id the caller chooses (the host assigns one without it).</summary>
public sealed record NewComputeUser(string? Username, string? Email, string? Password, string? UserId, bool? Admin);
