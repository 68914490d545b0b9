namespace Edgeplane.Abstractions.Security;

public enum CredentialKind
{
    None,
    /// <summary>A browser session cookie.</summary>
    Session,
    /// <summary>An API key in <c>Authorization</c>, <c>X-API-Key</c> or a header a plugin declared.</summary>
    ApiKey,
}
