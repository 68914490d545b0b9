using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Edgeplane.Plugins.Compute.Tests.Engine;

/// <summary>
/// Serves a real engine's unix socket on 127.0.0.1 over TCP, optionally with TLS that requires a
/// client certificate from a private CA — the way a remote Docker daemon runs with <c>--tlsverify</c>
/// (podman 4.3 cannot serve TLS itself). Writes the CA, client certificate and key as PEM files.
/// </summary>
public sealed class EngineTunnel : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _socketPath;
    private readonly X509Certificate2? _serverCertificate;
    private readonly X509Certificate2? _ca;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public EngineTunnel(string socketPath, bool tls, string directory)
    {
        _socketPath = socketPath;
        if (tls)
        {
            _ca = CreateCa("edgeplane test engine CA");
            _serverCertificate = Issue(_ca, "127.0.0.1", server: true);
            var client = Issue(_ca, "edgeplane-compute", server: false);
            CaFile = Path.Combine(directory, "ca.pem");
            CertFile = Path.Combine(directory, "cert.pem");
            KeyFile = Path.Combine(directory, "key.pem");
            File.WriteAllText(CaFile, _ca.ExportCertificatePem());
            File.WriteAllText(CertFile, client.ExportCertificatePem());
            File.WriteAllText(KeyFile, client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            var other = CreateCa("some other CA");
            OtherCaFile = Path.Combine(directory, "other-ca.pem");
            File.WriteAllText(OtherCaFile, other.ExportCertificatePem());
        }
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string? CaFile { get; }
    public string? CertFile { get; }
    public string? KeyFile { get; }
    /// <summary>A CA that did not sign the server certificate.</summary>
    public string? OtherCaFile { get; }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(ca.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_serverCertificate is not null)
                {
                    var ssl = new SslStream(stream, false);
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = _serverCertificate,
                        ClientCertificateRequired = true,
                        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        {
                            if (certificate is null) return false;
                            using var chain = new X509Chain();
                            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                            chain.ChainPolicy.CustomTrustStore.Add(_ca!);
                            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                            return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                        },
                    }, _stop.Token);
                    stream = ssl;
                }
                using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await engine.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), _stop.Token);
                await using var engineStream = new NetworkStream(engine, ownsSocket: false);
                var up = stream.CopyToAsync(engineStream, _stop.Token);
                var down = engineStream.CopyToAsync(stream, _stop.Token);
                await Task.WhenAny(up, down);
                await stream.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or AuthenticationException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
    }
}
