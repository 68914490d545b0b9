namespace Edgeplane.Host.Identity;

/// <summary>The names a browser session travels under: the httpOnly session cookie and the CSRF cookie and header.</summary>
public static class SessionCookies
{
    public const string Session = "edgeplane_session";
    public const string Csrf = "edgeplane_csrf";
    public const string CsrfHeader = "X-CSRF-Token";
}
