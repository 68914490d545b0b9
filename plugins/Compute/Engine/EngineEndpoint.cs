using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Edgeplane.Abstractions.Network;

namespace Edgeplane.Plugins.Compute.Engine;

/// <summary>
/// Where a node's container engine listens: a unix socket (<c>unix:///run/podman/podman.sock</c>) for a
/// local node, or TCP (<c>host:port</c>) for a remote one, with TLS unless told otherwise.
/// </summary>
public sealed record EngineEndpoint(string? SocketPath, string? Host, int Port, bool Tls)
{
    public bool IsUnix => SocketPath is not null;

    public static EngineEndpoint Unix(string path) => new(path, null, 0, false);

    public static EngineEndpoint Tcp(string host, int port, bool tls) => new(null, host, port, tls);

    /// <summary>
    /// Reads a node's address and port: <c>unix:///path</c> (or an absolute path) is a local socket;
    /// anything else is a host name or IP address with <paramref name="port"/>. Returns an error message on bad input.
    /// </summary>
    public static EngineEndpoint? TryParse(string? address, int? port, bool tls, out string? error)
    {
        error = null;
        address = address?.Trim();
        if (string.IsNullOrEmpty(address)) { error = "is required"; return null; }
        if (address.StartsWith("unix://", StringComparison.OrdinalIgnoreCase) || address.StartsWith('/'))
        {
            var path = address.StartsWith('/') ? address : address["unix://".Length..];
            if (!path.StartsWith('/')) { error = "a unix socket address needs an absolute path (unix:///run/podman/podman.sock)"; return null; }
            return Unix(path);
        }
        foreach (var scheme in new[] { "tcp://", "https://", "http://" })
            if (address.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                tls = scheme == "https://" || (scheme == "tcp://" && tls);
                address = address[scheme.Length..].TrimEnd('/');
            }
        // host:port (or [v6]:port) in the address itself; the separate port field wins when both are given.
        var lastColon = address.LastIndexOf(':');
        if (lastColon > 0 && (address.IndexOf(':') == lastColon || address[..lastColon].EndsWith(']'))
            && int.TryParse(address[(lastColon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inlinePort))
        {
            port ??= inlinePort;
            address = address[..lastColon];
        }
        if (port is < 1 or > 65535) { error = "port must be 1-65535"; return null; }
        if (IpText.CheckHost(address.Trim('[', ']')) is { } hostError) { error = $"{hostError}, or a unix:// socket"; return null; }
        if (port is null) { error = "port is required for a TCP address"; return null; }
        return Tcp(address.Trim('[', ']'), port.Value, tls);
    }

    public override string ToString() => IsUnix ? "unix://" + SocketPath : $"{(Tls ? "https" : "tcp")}://{(Host!.Contains(':') ? $"[{Host}]" : Host)}:{Port}";
}

/// <summary>Client certificate and CA for engines served over TCP with TLS (Docker's <c>--tlsverify</c>).</summary>
public sealed record EngineTlsOptions(string? CaFile, string? CertFile, string? KeyFile);

/// <summary>Builds the HTTP handler that reaches an engine endpoint.</summary>
internal static class EngineHandlers
{
    public static SocketsHttpHandler Create(EngineEndpoint endpoint, EngineTlsOptions? tls)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        if (endpoint.IsUnix)
        {
            var path = endpoint.SocketPath!;
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        else if (endpoint.Tls && tls is not null)
        {
            var ssl = new SslClientAuthenticationOptions();
            if (tls.CertFile is { Length: > 0 } cert && tls.KeyFile is { Length: > 0 } key)
            {
                // Re-imported through PKCS#12 so that the key is a persisted one TLS stacks accept everywhere.
                using var pem = X509Certificate2.CreateFromPemFile(cert, key);
                ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
            }
            if (tls.CaFile is { Length: > 0 } caFile)
            {
                var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
                ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null) return false;
                    if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                };
            }
            handler.SslOptions = ssl;
        }
        return handler;
    }

    public static Uri BaseAddress(EngineEndpoint endpoint) =>
        endpoint.IsUnix ? new Uri("http://engine/") : new Uri($"{(endpoint.Tls ? "https" : "http")}://{(endpoint.Host!.Contains(':') ? $"[{endpoint.Host}]" : endpoint.Host)}:{endpoint.Port}/");
}
