namespace Edgeplane.Abstractions.Security;

/// <summary>Who is calling the current request (scoped service; also fine to read outside a request: then anonymous).</summary>
public interface ICaller
{
    bool IsAuthenticated { get; }
    /// <summary>The user, or for an API key the user who created it.</summary>
    string? UserId { get; }
    string? Username { get; }
    /// <summary>The team the credential acts for: the API key's team, or the session user's current team.</summary>
    string? TeamId { get; }
    /// <summary><c>viewer</c>, <c>operator</c> or <c>admin</c> in <see cref="TeamId"/>.</summary>
    string? Role { get; }
    /// <summary>Administers the whole host, every team.</summary>
    bool IsHostAdmin { get; }
    CredentialKind Credential { get; }
    /// <summary>The API key's id when <see cref="Credential"/> is <see cref="CredentialKind.ApiKey"/>.</summary>
    string? ApiKeyId { get; }
    /// <summary>The client's address as the listener saw it.</summary>
    string? SourceAddress { get; }

    /// <summary>Whether the caller's role grants <paramref name="permission"/> (host admins hold every permission).</summary>
    bool Has(string permission);
}
