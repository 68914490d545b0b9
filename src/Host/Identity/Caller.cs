using System.Security.Claims;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>The SDK's <see cref="ICaller"/> over the current request's principal.</summary>
public sealed class Caller(IHttpContextAccessor accessor, PermissionRegistry permissions) : ICaller
{
    private ClaimsPrincipal? User => accessor.HttpContext?.User;

    public bool IsAuthenticated => User?.Identity?.IsAuthenticated == true;
    public string? UserId => Claim(EdgeplaneClaims.UserId);
    public string? Username => Claim(EdgeplaneClaims.Username);
    public string? TeamId => Claim(EdgeplaneClaims.TeamId);
    public string? Role => Claim(EdgeplaneClaims.Role);
    public bool IsHostAdmin => Claim(EdgeplaneClaims.HostAdmin) == "true";
    public string? ApiKeyId => Claim(EdgeplaneClaims.ApiKeyId);
    public string? SourceAddress => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public CredentialKind Credential =>
        Enum.TryParse<CredentialKind>(Claim(EdgeplaneClaims.Credential), out var kind) ? kind : CredentialKind.None;

    public bool Has(string permission) => IsAuthenticated && (IsHostAdmin || permissions.Grants(Role, permission));

    private string? Claim(string type) => User?.FindFirst(type)?.Value;
}
