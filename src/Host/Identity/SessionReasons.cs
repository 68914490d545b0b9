namespace Edgeplane.Host.Identity;

/// <summary>What each of the host's session-only routes says to an API key in its 403: a leaked key must not mint credentials or grant roles.</summary>
internal static class SessionReasons
{
    public const string Logout = "signing out ends a browser session; an API key has none to end";
    public const string Password = "changing a password needs a browser session; API keys cannot change passwords";
    public const string CreateUsers = "creating users needs a browser session; API keys cannot mint users";
    public const string ChangeUsers = "enabling, disabling or promoting users needs a browser session; API keys cannot administer users";
    public const string Teams = "creating, renaming or deleting teams needs a browser session; API keys cannot manage teams";
    public const string Members = "managing a team's members needs a browser session; API keys cannot grant or remove roles";
    public const string ApiKeys = "managing API keys needs a browser session; a key cannot mint or revoke keys";
    public const string Organizations = "managing organizations needs a browser session; API keys cannot manage them";
}
