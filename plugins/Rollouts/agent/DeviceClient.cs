using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;

namespace Edgeplane.Rollouts.Agent;

/// <summary>A gRPC status other than OK from the device API.</summary>
public sealed class GrpcCallException(int status, string message) : Exception($"gRPC status {status}: {message}")
{
    public int Status { get; } = status;
    public string Detail { get; } = message;
}

/// <summary>
/// A unary gRPC client over HTTP/2 with a client certificate: one HTTP/2 connection, kept alive,
/// length-prefixed protobuf messages, the status read from trailers (or a trailers-only response).
/// </summary>
public sealed class DeviceClient : IDisposable
{
    private const string Service = "/edgeplane.rollouts.device.v1.DeviceService/";
    private readonly HttpClient _http;
    private readonly Uri _server;

    public DeviceClient(Uri server, X509Certificate2 clientCertificate, X509Certificate2 caCertificate)
    {
        _server = server;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = false,
            SslOptions =
            {
                ClientCertificates = [clientCertificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServer(certificate, caCertificate, errors),
            },
        };
        _http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The server must chain to the device CA the operator gave us (pinned; the system store plays no part).</summary>
    private static bool ValidateServer(X509Certificate? certificate, X509Certificate2 ca, System.Net.Security.SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        if ((errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    public Task<TResponse> CallAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, TimeSpan? deadline = null, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse> => CallAsync(_http, _server, method, request, parser, deadline, cancellationToken);

    public static async Task<TResponse> CallAsync<TResponse>(HttpClient http, Uri server, string method, IMessage request, MessageParser<TResponse> parser,
        TimeSpan? deadline = null, CancellationToken cancellationToken = default) where TResponse : IMessage<TResponse>
    {
        var payload = new byte[5 + request.CalculateSize()];
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), (uint)(payload.Length - 5));
        request.WriteTo(payload.AsSpan(5));
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, Service + method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(payload),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (deadline is { } d) message.Headers.TryAddWithoutValidation("grpc-timeout", $"{Math.Max(1, (long)d.TotalMilliseconds)}m");
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new GrpcCallException(StatusFromHttp(response.StatusCode), $"HTTP {(int)response.StatusCode}");
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var status = Header(response, "grpc-status");
        var detail = Uri.UnescapeDataString(Header(response, "grpc-message") ?? "");
        if (status is null) throw new GrpcCallException(13, "the response carries no grpc-status");
        if (status != "0") throw new GrpcCallException(int.Parse(status), detail);
        if (body.Length < 5) throw new GrpcCallException(13, "the response carries no message");
        if (body[0] != 0) throw new GrpcCallException(13, "compressed response messages are not supported");
        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
        if (body.Length != 5 + length) throw new GrpcCallException(13, "the response message is truncated");
        return parser.ParseFrom(body.AsSpan(5, (int)length));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var t) ? t.FirstOrDefault()
        : response.Headers.TryGetValues(name, out var h) ? h.FirstOrDefault() : null;

    private static int StatusFromHttp(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => 13,
        HttpStatusCode.Unauthorized => 16,
        HttpStatusCode.Forbidden => 7,
        HttpStatusCode.NotFound => 12,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => 14,
        _ => 2,
    };

    public void Dispose() => _http.Dispose();
}
