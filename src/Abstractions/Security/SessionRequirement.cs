using Microsoft.AspNetCore.Authorization;

namespace Edgeplane.Abstractions.Security;

/// <summary>Endpoint metadata: only a signed-in browser session may call the route; an API key, whatever its role, gets 403.</summary>
public sealed record SessionRequirement : IAuthorizationRequirement, IAuthorizationRequirementData
{
    /// <summary>
    /// Why this route is for sessions only, said to an API key in the 403's <c>detail</c> (for instance "creating users needs a
    /// browser session; API keys cannot mint users"); without one the host gives a general reason.
    /// </summary>
    public string? Reason { get; init; }

    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [this];
}
