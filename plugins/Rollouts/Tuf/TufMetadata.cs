using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Tuf;

/// <summary>Building, signing and verifying TUF metadata documents (<c>{"signed": ..., "signatures": [...]}</c>).</summary>
public static class TufMetadata
{
    public const string SpecVersion = "1.0.31";
    public static readonly string[] Roles = ["root", "targets", "snapshot", "timestamp"];

    public static string FormatExpiry(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseExpiry(string s) =>
        DateTimeOffset.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static JsonObject Signed(string type, long version, DateTimeOffset expires) => new()
    {
        ["_type"] = type,
        ["spec_version"] = SpecVersion,
        ["version"] = version,
        ["expires"] = FormatExpiry(expires),
    };

    /// <summary>Signs <paramref name="signed"/> with every key; the result is the document as served (compact JSON).</summary>
    public static string Sign(JsonObject signed, IEnumerable<TufKey> keys)
    {
        var canonical = CanonicalJson.Encode(signed);
        var signatures = new JsonArray();
        foreach (var key in keys.DistinctBy(k => k.KeyId).OrderBy(k => k.KeyId, StringComparer.Ordinal))
            signatures.Add(new JsonObject { ["keyid"] = key.KeyId, ["sig"] = key.Sign(canonical) });
        if (signatures.Count == 0) throw new CryptographicException("no signing key");
        var document = new JsonObject { ["signatures"] = signatures, ["signed"] = signed.DeepClone() };
        return document.ToJsonString();
    }

    public static string Sha256Hex(string document) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document)));

    /// <summary>
    /// Whether <paramref name="document"/> carries at least the threshold of valid signatures, from distinct keys
    /// that <paramref name="rootSigned"/> lists for <paramref name="role"/>.
    /// </summary>
    public static bool VerifyThreshold(JsonObject document, JsonObject rootSigned, string role)
    {
        var roleInfo = rootSigned["roles"]?[role]?.AsObject() ?? throw new TufException($"root has no role '{role}'");
        var threshold = roleInfo["threshold"]!.GetValue<int>();
        if (threshold < 1) throw new TufException($"role '{role}' has threshold {threshold}");
        var allowed = roleInfo["keyids"]!.AsArray().Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var keys = rootSigned["keys"]!.AsObject();
        var canonical = CanonicalJson.Encode(document["signed"]);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in document["signatures"]?.AsArray() ?? [])
        {
            var keyId = signature?["keyid"]?.GetValue<string>();
            var sig = signature?["sig"]?.GetValue<string>();
            if (keyId is null || sig is null || !allowed.Contains(keyId) || valid.Contains(keyId)) continue;
            if (keys[keyId] is not JsonObject keyJson || (string?)keyJson["keytype"] != TufKey.KeyType || (string?)keyJson["scheme"] != TufKey.Scheme) continue;
            using var key = TufKey.FromPublicPem((string)keyJson["keyval"]!["public"]!);
            if (key.Verify(canonical, sig)) valid.Add(keyId);
        }
        return valid.Count >= threshold;
    }
}

public sealed class TufException(string message) : Exception(message);
