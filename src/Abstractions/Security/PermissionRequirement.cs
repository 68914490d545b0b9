using Microsoft.AspNetCore.Authorization;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// Endpoint metadata: the caller's role must hold <see cref="Permission"/> (declared in a plugin manifest; host
/// administrators hold every permission). The host's authorization and its OpenAPI document read it as it is.
/// </summary>
public sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement, IAuthorizationRequirementData
{
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [this];
}
