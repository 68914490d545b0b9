namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// What a session-only route says to an API key in its 403: the document makes "creating users, and managing API keys and
/// enrollment-token administration" session-only so that a leaked key cannot mint more credentials.
/// </summary>
internal static class SessionReasons
{
    public const string Users = "creating users needs a browser session; API keys cannot mint users";
    public const string ApiKeys = "managing API keys needs a browser session; a key cannot mint or revoke keys";
    public const string EnrollTokens = "enrollment-token administration needs a browser session; a key cannot mint device credentials";
    public const string Logout = "signing out ends a browser session; an API key has none to end";
}
