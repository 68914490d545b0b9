using Microsoft.AspNetCore.Builder;

namespace Edgeplane.Abstractions.Security;

/// <summary>Declares what a route requires of its caller.</summary>
public static class PermissionEndpointExtensions
{
    /// <summary>The policy name prefix the host resolves into a permission check.</summary>
    public const string PolicyPrefix = "permission:";

    /// <summary>
    /// The caller must hold <paramref name="permission"/> (declared in a plugin manifest).
    /// No credential answers 401; a credential without the permission answers 403 naming it.
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(PolicyPrefix + permission);
}
