using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Edgeplane.Host.Webhooks;

/// <summary>
/// Encrypts webhook signing secrets at rest with ASP.NET Core Data Protection (AES-256-CBC +
/// HMAC-SHA256, keys rotated every 90 days, old keys kept to decrypt). The key ring is a folder of
/// XML key files (<see cref="WebhookOptions.KeyDirectory"/>, <c>&lt;DataDirectory&gt;/keys</c> by default,
/// mode 0700) kept apart from the database, so a copy of the database alone does not reveal a secret.
/// </summary>
public sealed class WebhookSecretProtector
{
    private const string Prefix = "dp1:";
    private readonly IDataProtector _protector;

    public WebhookSecretProtector(WebhookOptions options)
    {
        var directory = Directory.CreateDirectory(options.KeyDirectory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _protector = DataProtectionProvider.Create(directory, b => b.SetApplicationName("Edgeplane"))
            .CreateProtector("Edgeplane.Webhooks.SigningSecret.v1");
    }

    public string Protect(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Prefix + _protector.Protect(secret);
    }

    /// <summary>The secret, or null when <paramref name="protectedSecret"/> was not made by this key ring.</summary>
    public string? Unprotect(string protectedSecret)
    {
        if (!protectedSecret.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            return _protector.Unprotect(protectedSecret[Prefix.Length..]);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
