using Microsoft.AspNetCore.Authorization;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// Endpoint metadata: only a host administrator may call the route (it acts on every team, or on something every
/// team shares); every team's key or session, whatever its role, gets 403.
/// </summary>
public sealed record HostAdminRequirement : IAuthorizationRequirement, IAuthorizationRequirementData
{
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [this];
}
