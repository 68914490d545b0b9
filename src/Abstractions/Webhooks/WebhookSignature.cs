using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edgeplane.Abstractions.Webhooks;

/// <summary>
/// The signature the host puts on every webhook request, and its check for receivers:
/// <c>X-Edgeplane-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;." + body)&gt;</c>.
/// The timestamp is signed with the body, so a receiver can refuse replays older than a few minutes.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Edgeplane-Signature";
    public const string TimestampHeader = "X-Edgeplane-Timestamp";
    public const string EventHeader = "X-Edgeplane-Event";
    public const string DeliveryHeader = "X-Edgeplane-Delivery";

    /// <summary>Lowercase hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c> (UTF-8) under <paramref name="secret"/>.</summary>
    public static string Compute(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    /// <summary>The value of <see cref="SignatureHeader"/>.</summary>
    public static string Header(string secret, long timestamp, string body) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Compute(secret, timestamp, body)}";

    /// <summary>
    /// Whether <paramref name="header"/> is a valid signature of <paramref name="body"/> under
    /// <paramref name="secret"/> made within <paramref name="tolerance"/> of <paramref name="now"/>
    /// (compared in constant time).
    /// </summary>
    public static bool Verify(string secret, string? header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(header)) return false;
        long? timestamp = null;
        string? signature = null;
        foreach (var part in header.Split(','))
        {
            var kv = part.Trim();
            if (kv.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(kv.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var t)) timestamp = t;
            else if (kv.StartsWith("v1=", StringComparison.Ordinal)) signature = kv[3..];
        }
        if (timestamp is null || signature is null) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp.Value) > tolerance.TotalSeconds) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(secret, timestamp.Value, body)), Encoding.ASCII.GetBytes(signature));
    }
}
