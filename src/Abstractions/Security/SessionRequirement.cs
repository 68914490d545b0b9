using Microsoft.AspNetCore.Authorization;

namespace Edgeplane.Abstractions.Security;

/// <summary>Endpoint metadata: only a signed-in browser session may call the route; an API key, whatever its role, gets 403.</summary>
public sealed record SessionRequirement : IAuthorizationRequirement, IAuthorizationRequirementData
{
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [this];
}
