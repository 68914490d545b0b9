using System.Security.Cryptography;

namespace Edgeplane.Host.Identity;

/// <summary>PBKDF2-HMAC-SHA256, 600,000 iterations (OWASP 2023), 16-byte salt: <c>pbkdf2-sha256$iterations$salt$hash</c>.</summary>
public static class PasswordHasher
{
    public const int Iterations = 600_000;
    public const int MinimumLength = 10;
    public const int MaximumLength = 256;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string? stored)
    {
        var parts = stored?.Split('$');
        if (parts is not ["pbkdf2-sha256", var iterations, var salt, var hash]) return false;
        var expected = Convert.FromBase64String(hash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(salt), int.Parse(iterations), HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Why a password is refused, or null when it is acceptable.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or "" => "is required",
        { Length: < MinimumLength } => $"must be at least {MinimumLength} characters",
        { Length: > MaximumLength } => $"must be at most {MaximumLength} characters",
        _ => null,
    };
}
