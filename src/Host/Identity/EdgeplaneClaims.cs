namespace Edgeplane.Host.Identity;

/// <summary>The claim types the host's authentication puts on the principal.</summary>
public static class EdgeplaneClaims
{
    public const string Scheme = "Edgeplane";
    public const string UserId = "sub";
    public const string Username = "name";
    public const string TeamId = "team";
    public const string Role = "role";
    public const string HostAdmin = "host_admin";
    public const string Credential = "cred";
    public const string ApiKeyId = "key_id";
    public const string SessionId = "session_id";
}
