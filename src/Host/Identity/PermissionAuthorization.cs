using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Authorization;

namespace Edgeplane.Host.Identity;

/// <summary>The caller's role (or host-admin flag) must grant the route's <see cref="PermissionRequirement"/>.</summary>
public sealed class PermissionHandler(ICaller caller, PermissionRegistry registry, ILogger<PermissionHandler> logger)
    : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (!registry.IsDeclared(requirement.Permission))
            logger.LogError("Route requires permission {Permission}, which no plugin manifest declares", requirement.Permission);
        if (caller.Has(requirement.Permission)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Session-only routes: API keys never create users or keys.</summary>
public sealed class SessionHandler(ICaller caller) : AuthorizationHandler<SessionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SessionRequirement requirement)
    {
        if (caller.Credential == CredentialKind.Session) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Host-admin routes: a host administrator's session, or a key minted with <c>hostAdmin: true</c>.</summary>
public sealed class HostAdminHandler(ICaller caller) : AuthorizationHandler<HostAdminRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, HostAdminRequirement requirement)
    {
        if (caller.IsAuthenticated && caller.IsHostAdmin) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
