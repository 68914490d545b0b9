using Microsoft.AspNetCore.Builder;

namespace Edgeplane.Abstractions.Security;

/// <summary>Declares what a route requires of its caller.</summary>
public static class PermissionEndpointExtensions
{
    /// <summary>The policy name prefix the host resolves into a permission check.</summary>
    public const string PolicyPrefix = "permission:";

    /// <summary>The policy name of session-only operations.</summary>
    public const string SessionPolicy = "session";

    /// <summary>
    /// The caller must hold <paramref name="permission"/> (declared in a plugin manifest).
    /// No credential answers 401; a credential without the permission answers 403 naming it.
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(PolicyPrefix + permission);

    /// <summary>
    /// Only a signed-in browser session may call the route (creating users or keys, for instance):
    /// an API key, whatever its role, gets 403.
    /// </summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(SessionPolicy);
}
