using System.Security.Cryptography;
using System.Text;

namespace Edgeplane.Abstractions.Security;

/// <summary>
/// High-entropy secrets (API keys, enrollment tokens, node credentials): generate, hash, verify.
/// A 256-bit random secret needs no slow KDF: SHA-256 plus a constant-time compare is the right
/// cost per request. Passwords are different: the host hashes them with PBKDF2.
/// </summary>
public static class Secrets
{
    /// <summary>A new secret: <paramref name="prefix"/> then 43 URL-safe characters (256 random bits).</summary>
    public static string Generate(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The stored form of a secret: lowercase hex SHA-256.</summary>
    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares a presented secret with a stored hash in constant time.</summary>
    public static bool Verify(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
