using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Edgeplane.Host.Identity;

/// <summary>The caller's role (or host-admin flag) must grant the permission.</summary>
public sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>The operation is session-only: API keys never create users or keys.</summary>
public sealed record SessionRequirement : IAuthorizationRequirement;

/// <summary>Turns <c>permission:x</c> and <c>session</c> policy names into requirements; everything else is the default provider's.</summary>
public sealed class PermissionPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    /// <summary>A name always gives the same policy, so the authorization middleware may combine each endpoint's once.</summary>
    public override bool AllowsCachingPolicies => true;

    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (policyName.StartsWith(PermissionEndpointExtensions.PolicyPrefix, StringComparison.Ordinal))
            return new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
                .AddRequirements(new PermissionRequirement(policyName[PermissionEndpointExtensions.PolicyPrefix.Length..])).Build();
        if (policyName == PermissionEndpointExtensions.SessionPolicy)
            return new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement()).Build();
        return await base.GetPolicyAsync(policyName);
    }
}

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

public sealed class SessionHandler(ICaller caller) : AuthorizationHandler<SessionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SessionRequirement requirement)
    {
        if (caller.Credential == CredentialKind.Session) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
