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
    // Made on first use: the provider builds its own services and reads the key ring, work no start needs.
    private readonly Lazy<IDataProtector> _protector;

    public WebhookSecretProtector(WebhookOptions options) => _protector = new(() => Create(options.KeyDirectory));

    private static IDataProtector Create(string keyDirectory)
    {
        var directory = Directory.CreateDirectory(keyDirectory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return DataProtectionProvider.Create(directory, b => b.SetApplicationName("Edgeplane"))
            .CreateProtector("Edgeplane.Webhooks.SigningSecret.v1");
    }

    public string Protect(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Prefix + _protector.Value.Protect(secret);
    }

    /// <summary>The secret, or null when <paramref name="protectedSecret"/> was not made by this key ring.</summary>
    public string? Unprotect(string protectedSecret)
    {
        if (!protectedSecret.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            return _protector.Value.Unprotect(protectedSecret[Prefix.Length..]);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
