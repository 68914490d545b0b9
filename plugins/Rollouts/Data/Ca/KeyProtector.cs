using System.Security.Cryptography;
using System.Text;

namespace Edgeplane.Plugins.Rollouts.Data.Ca;

/// <summary>
/// Encrypts the device CA's private key for the database with AES-256-GCM. The key-encryption key
/// comes from configuration (<c>CaKeyEncryptionKey</c>, base64 of 32 bytes: every host instance
/// sharing a database must have the same one) or, when none is configured, from
/// <c>ca-kek.bin</c> in the plugin's data directory (<c>{Edgeplane:DataDirectory}/rollouts</c>), created with mode 0600 at first start.
/// </summary>
public sealed class KeyProtector
{
    private readonly byte[] _key;

    public KeyProtector(RolloutsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CaKeyEncryptionKey))
        {
            _key = Convert.FromBase64String(options.CaKeyEncryptionKey);
            if (_key.Length != 32) throw new InvalidOperationException("Edgeplane:Plugins:rollouts:CaKeyEncryptionKey must be base64 of exactly 32 bytes");
            Source = "configuration";
        }
        else
        {
            var path = Path.Combine(options.DataDirectory, "ca-kek.bin");
            _key = LoadOrCreate(path);
            Source = path;
        }
        KeyId = Convert.ToHexStringLower(SHA256.HashData(_key))[..16];
    }

    /// <summary>A fingerprint of the key-encryption key, stored beside the encrypted key to tell a wrong key from corruption.</summary>
    public string KeyId { get; }
    public string Source { get; }

    public byte[] Protect(byte[] plaintext, string associated)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var output = new byte[12 + 16 + plaintext.Length];
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plaintext, output.AsSpan(28), output.AsSpan(12, 16), Encoding.UTF8.GetBytes(associated));
        nonce.CopyTo(output, 0);
        return output;
    }

    public byte[] Unprotect(byte[] data, string associated)
    {
        var plaintext = new byte[data.Length - 28];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(data.AsSpan(0, 12), data.AsSpan(28), data.AsSpan(12, 16), plaintext, Encoding.UTF8.GetBytes(associated));
        return plaintext;
    }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path)) return File.ReadAllBytes(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(path, fileOptions);
            stream.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllBytes(path); // another instance created it first
        }
    }
}
