using Microsoft.AspNetCore.Builder;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// Declares what a route requires of its caller, as typed endpoint metadata (<see cref="PermissionRequirement"/>,
/// <see cref="SessionRequirement"/>, <see cref="HostAdminRequirement"/>) that the host's authorization and its
/// OpenAPI document read. Each also requires a credential: no credential answers 401. Requirements add up.
/// </summary>
public static class PermissionEndpointExtensions
{
    /// <summary>
    /// The caller must hold <paramref name="permission"/> (declared in a plugin manifest).
    /// A credential without the permission answers 403 naming it.
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization().WithMetadata(new PermissionRequirement(permission));

    /// <summary>
    /// Only a signed-in browser session may call the route (creating users or keys, for instance):
    /// an API key, whatever its role, gets 403.
    /// </summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization().WithMetadata(new SessionRequirement());

    /// <summary>
    /// Only a signed-in browser session may call the route; an API key gets 403 whose <c>detail</c> is
    /// <paramref name="reason"/> (say what the route does and why a key may not: "creating users needs a browser session;
    /// API keys cannot mint users").
    /// </summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder, string reason)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization().WithMetadata(new SessionRequirement { Reason = reason });

    /// <summary>
    /// Only a host administrator may call the route (it acts on every team's data or on a resource every team shares):
    /// any other credential, whatever its role, gets 403 saying so.
    /// </summary>
    public static TBuilder RequireHostAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization().WithMetadata(new HostAdminRequirement());
}
