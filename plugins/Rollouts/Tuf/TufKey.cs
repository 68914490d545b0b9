using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Tuf;

/// <summary>
/// A TUF key: ECDSA P-256 (<c>keytype</c> "ecdsa", <c>scheme</c> "ecdsa-sha2-nistp256", <c>keyval.public</c> a PEM
/// SubjectPublicKeyInfo), signatures DER-encoded over SHA-256 of the canonical JSON, hex in metadata. The key id is
/// the SHA-256 of the canonical JSON of the public key object, as the specification says.
/// </summary>
public sealed class TufKey : IDisposable
{
    public const string KeyType = "ecdsa";
    public const string Scheme = "ecdsa-sha2-nistp256";

    private TufKey(ECDsa key, bool hasPrivate)
    {
        Key = key;
        HasPrivateKey = hasPrivate;
        PublicPem = key.ExportSubjectPublicKeyInfoPem();
        KeyId = ComputeKeyId(PublicJson(PublicPem));
    }

    public ECDsa Key { get; }
    public bool HasPrivateKey { get; }
    public string PublicPem { get; }
    public string KeyId { get; }

    public static TufKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), true);

    public static TufKey FromPkcs8(byte[] pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return new TufKey(key, true);
    }

    public static TufKey FromPublicPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return new TufKey(key, false);
    }

    public byte[] ExportPkcs8() => Key.ExportPkcs8PrivateKey();

    public JsonObject PublicJson() => PublicJson(PublicPem);

    public static JsonObject PublicJson(string pem) => new()
    {
        ["keytype"] = KeyType,
        ["scheme"] = Scheme,
        ["keyval"] = new JsonObject { ["public"] = pem },
    };

    public static string ComputeKeyId(JsonObject publicKey) => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(publicKey)));

    public string Sign(byte[] canonical) =>
        Convert.ToHexStringLower(Key.SignData(canonical, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public bool Verify(byte[] canonical, string signatureHex)
    {
        try
        {
            return Key.VerifyData(canonical, Convert.FromHexString(signatureHex), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public void Dispose() => Key.Dispose();
}
