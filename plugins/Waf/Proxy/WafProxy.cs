using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.SecLang;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// The inspecting reverse proxy: its own Kestrel server (separate from the host's listeners),
/// every request inspected by <see cref="WafEngine"/>, then streamed to the upstream with
/// <see cref="SocketsHttpHandler"/> (method, headers, body, status, trailers preserved;
/// X-Forwarded-* set) or answered 403 / 429 by <see cref="BlockedAnswer"/>.
/// </summary>
public sealed class WafProxy(WafEngine engine, WafProxyOptions options, WafMetrics? metrics = null, ILoggerFactory? loggerFactory = null) : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private WebApplication? _app;
    private HttpMessageInvoker? _client;
    private Uri? _upstream;
    private readonly ILogger _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<WafProxy>();
    private long _activeConnections;
    private readonly HashSet<string> _responseTypes = new(options.InspectResponseTypes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);

    /// <summary>The address the listener is bound to (with the real port when 0 was configured).</summary>
    public Uri? Address { get; private set; }

    public long ActiveConnections => Interlocked.Read(ref _activeConnections);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(options.Upstream, UriKind.Absolute, out var upstream) || (upstream.Scheme != "http" && upstream.Scheme != "https"))
            throw new InvalidOperationException($"Proxy:Upstream '{options.Upstream}' is not an absolute http(s) URL");
        _upstream = upstream;
        if (!Uri.TryCreate(options.Listen, UriKind.Absolute, out var listen) || !IPAddress.TryParse(listen.Host.Trim('[', ']'), out var listenAddress))
            throw new InvalidOperationException($"Proxy:Listen '{options.Listen}' must be http://IP:PORT");

        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ActivityHeadersPropagator = null,
            ConnectCallback = EarlyResponseStream.ConnectAsync,
            // header values travel as the bytes the client sent (UTF-8 cookies are common), both ways
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
            ResponseHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        });

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(new SlowClientLoggerProvider(engine.Counters));
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = options.InlineScheduling);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.RequestHeadersTimeoutSeconds);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(options.KeepAliveTimeoutSeconds);
            k.Limits.MinRequestBodyDataRate = new MinDataRate(options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            k.Limits.MaxRequestBodySize = null;
            k.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
            k.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
            k.Listen(listenAddress, listen.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.Use(next => async connection =>
                {
                    Interlocked.Increment(ref _activeConnections);
                    metrics?.ConnectionOpened();
                    try
                    {
                        await next(connection);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _activeConnections);
                        metrics?.ConnectionClosed();
                    }
                });
                if (Http2PriorKnowledge.Available) l.Use(Http2PriorKnowledge.Middleware(TimeSpan.FromSeconds(options.RequestHeadersTimeoutSeconds)));
                else _logger.LogWarning("WAF proxy: this Kestrel cannot switch a cleartext connection to HTTP/2; h2c (prior knowledge) is not served, HTTP/1.1 is");
            });
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync(cancellationToken);
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound);
        _logger.LogInformation("WAF proxy listening on {Address}, forwarding to {Upstream}", Address, _upstream);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var requestId = RequestIds.New();
        context.Response.Headers["X-Request-Id"] = requestId;

        // read the part of the body we inspect, and one byte more to know whether there is more; the rest streams through afterwards
        byte[]? prefix = null;
        var prefixLength = 0;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        var limit = options.MaxInspectBodyBytes;
        if (hasBody)
        {
            prefix = ArrayPool<byte>.Shared.Rent(limit + 1);
            try
            {
                while (prefixLength <= limit)
                {
                    var read = await request.Body.ReadAsync(prefix.AsMemory(prefixLength, limit + 1 - prefixLength), context.RequestAborted);
                    if (read == 0) break;
                    prefixLength += read;
                }
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
            {
                engine.Counters.RecordSlowClient(context.Connection.RemoteIpAddress?.ToString());
                ArrayPool<byte>.Shared.Return(prefix);
                return; // Kestrel answers 408 and closes
            }
        }
        try
        {
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
            var q = rawTarget.IndexOf('?');
            var headers = new List<KeyValuePair<string, string>>(request.Headers.Count);
            foreach (var (name, values) in request.Headers)
                foreach (var value in values) headers.Add(new(name, HeaderText.ForInspection(value)));
            var cut = prefixLength > limit;
            if (cut && options.BlocksOversizeBodies)
            {
                await OversizeAnswer.WriteAsync(context, limit, requestId, rawTarget, _logger);
                return;
            }
            var body = prefixLength > 0 && IsInspectable(request.ContentType) ? Encoding.UTF8.GetString(prefix!, 0, Math.Min(prefixLength, limit)) : null;
            var inspected = new InspectionRequest(context.Connection.RemoteIpAddress, request.Method,
                q < 0 ? rawTarget : rawTarget[..q], q < 0 ? "" : rawTarget[(q + 1)..], headers, body, request.ContentType, requestId, cut, request.Protocol);
            var verdict = engine.Inspect(inspected, keepForResponse: options.InspectResponses);
            using var responseCheck = verdict.Response;
            if (cut && body is not null && verdict.Kind == VerdictKind.Pass)
                _logger.LogInformation("WAF passed {Method} {Target} from {Client} with only the first {Limit} bytes of its body inspected (request {RequestId})",
                    request.Method, rawTarget, context.Connection.RemoteIpAddress, limit, requestId);

            if (verdict.Kind != VerdictKind.Pass)
            {
                await BlockedAnswer.WriteAsync(context, verdict, requestId, rawTarget, _logger);
                return;
            }
            await ForwardAsync(context, rawTarget, prefix, prefixLength, responseCheck is null ? null : new ResponseInspection(inspected, responseCheck));
        }
        finally
        {
            if (prefix is not null) ArrayPool<byte>.Shared.Return(prefix);
            metrics?.RecordRequest(Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Bodies of binary media types (images, archives, octet streams) are not matched against text rules.</summary>
    internal static bool IsInspectable(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return true;
        var type = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return !(type.StartsWith("image/", StringComparison.Ordinal) || type.StartsWith("audio/", StringComparison.Ordinal) || type.StartsWith("video/", StringComparison.Ordinal)
            || type is "application/octet-stream" or "application/zip" or "application/gzip" or "application/pdf" or "application/x-tar" or "application/wasm");
    }

    /// <summary>The request as inspected and its kept SecLang transaction, to check the upstream's response with.</summary>
    private sealed record ResponseInspection(InspectionRequest Request, SecLangResponseCheck Check);

    private async Task ForwardAsync(HttpContext context, string rawTarget, byte[]? prefix, int prefixLength, ResponseInspection? inspection)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), new Uri(_upstream!, rawTarget))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
            message.Content = new StreamContent(new PrefixedStream(prefix!, prefixLength, request.Body));

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (name.StartsWith(':')) continue; // HTTP/2 pseudo-headers
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        if (request.Headers.Host.Count > 0) message.Headers.Host = request.Headers.Host.ToString();
        var client = context.Connection.RemoteIpAddress?.ToString();
        if (client is not null)
        {
            var prior = request.Headers["X-Forwarded-For"];
            message.Headers.Remove("X-Forwarded-For");
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", StringValues.IsNullOrEmpty(prior) ? client : $"{prior}, {client}");
        }
        message.Headers.Remove("X-Forwarded-Proto");
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        message.Headers.Remove("X-Forwarded-Host");
        if (request.Headers.Host.Count > 0) message.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Headers.Host.ToString());

        HttpResponseMessage response;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.UpstreamTimeoutSeconds));
        try
        {
            response = await _client!.SendAsync(message, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Upstream {Upstream} failed for {Target}", _upstream, rawTarget);
            await UpstreamFailedAsync(context, e is OperationCanceledException ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway);
            return;
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        using (response)
        {
            var inspectedBody = (Buffer: (byte[]?)null, Length: 0);
            if (inspection is not null)
            {
                try
                {
                    inspectedBody = await InspectResponseAsync(context, response, inspection, rawTarget, timeout.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException && !context.RequestAborted.IsCancellationRequested)
                {
                    _logger.LogWarning(e, "Upstream {Upstream} failed mid-body for {Target}", _upstream, rawTarget);
                    await UpstreamFailedAsync(context, StatusCodes.Status502BadGateway);
                    return;
                }
                if (context.Response.HasStarted) return; // blocked: the 403 is written
            }
            try
            {
                await SendResponseAsync(context, response, inspectedBody.Buffer, inspectedBody.Length);
            }
            finally
            {
                if (inspectedBody.Buffer is not null) ArrayPool<byte>.Shared.Return(inspectedBody.Buffer);
            }
        }
    }

    /// <summary>
    /// Phase 3 on the status line and headers, then, for a text body (<c>InspectResponseTypes</c>, not content-encoded),
    /// phase 4 on its first <c>MaxInspectResponseBodyBytes</c>: the bytes read (to send before the rest), or a 403 written instead.
    /// </summary>
    private async Task<(byte[]? Buffer, int Length)> InspectResponseAsync(HttpContext context, HttpResponseMessage response, ResponseInspection inspection, string rawTarget, CancellationToken ct)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            foreach (var value in values) headers.Add(new(name, value));
        var seen = new SecLangResponse((int)response.StatusCode, $"HTTP/{response.Version}", response.ReasonPhrase, headers);
        var verdict = engine.InspectResponseHeaders(inspection.Request, inspection.Check, seen);
        if (verdict.Kind == VerdictKind.Pass && InspectsBody(context, response))
        {
            var limit = options.MaxInspectResponseBodyBytes;
            var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
            var length = 0;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(ct); // the same stream SendResponseAsync copies on from, disposed there
                while (length <= limit)
                {
                    var read = await body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), ct);
                    if (read == 0) break;
                    length += read;
                }
                verdict = engine.InspectResponseBody(inspection.Request, inspection.Check, buffer.AsSpan(0, Math.Min(length, limit)));
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
            if (verdict.Kind == VerdictKind.Pass) return (buffer, length);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (verdict.Kind != VerdictKind.Pass) await BlockedAnswer.WriteAsync(context, verdict, inspection.Request.RequestId!, rawTarget, _logger);
        return (null, 0);
    }

    private bool InspectsBody(HttpContext context, HttpResponseMessage response) =>
        !HttpMethods.IsHead(context.Request.Method)
        && response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.NotModified)
        && response.Content.Headers.ContentEncoding.All(e => e.Equals("identity", StringComparison.OrdinalIgnoreCase))
        && response.Content.Headers.ContentType?.MediaType is { } type && _responseTypes.Contains(type);

    private static Task UpstreamFailedAsync(HttpContext context, int status)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.6.3",
            title = "The upstream server did not answer",
            status,
            requestId = context.Response.Headers["X-Request-Id"].ToString(),
        }));
    }

    /// <summary>The upstream's status, headers and body (after the <paramref name="held"/> bytes already read for inspection), and trailers.</summary>
    private static async Task SendResponseAsync(HttpContext context, HttpResponseMessage response, byte[]? held, int heldLength)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        // as received: the validating enumeration would parse every value (dates, lists) only to print it again
        foreach (var (name, values) in response.Headers.NonValidated)
            if (!HopByHop.Contains(name)) context.Response.Headers[name] = AsStringValues(values);
        foreach (var (name, values) in response.Content.Headers.NonValidated)
            context.Response.Headers[name] = AsStringValues(values);
        if (response.Content.Headers.ContentLength is null && !HttpMethods.IsHead(context.Request.Method))
            context.Response.Headers.ContentLength = null; // chunked
        try
        {
            if (heldLength > 0) await context.Response.Body.WriteAsync(held.AsMemory(0, heldLength), context.RequestAborted);
            await using var upstreamBody = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            await upstreamBody.CopyToAsync(context.Response.Body, context.RequestAborted);
            if (context.Response.SupportsTrailers() && response.TrailingHeaders.Any()) // TrailingHeaders is made when first read
                foreach (var (name, values) in response.TrailingHeaders)
                    context.Response.AppendTrailer(name, values.ToArray());
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
        {
            context.Abort(); // the upstream or the client went away mid-body: do not pretend the body is complete
        }
    }

    private static StringValues AsStringValues(System.Net.Http.Headers.HeaderStringValues values) =>
        values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _client?.Dispose();
    }

    /// <summary>Counts the clients Kestrel cuts off for sending their headers too slowly.</summary>
    private sealed class SlowClientLoggerProvider(WafCounters counters) : ILoggerProvider
    {
        // Only the categories where Kestrel reports bad and slow requests: the connection, HTTP/2 and
        // transport categories log at Debug/Trace on every connection and keep-alive request, which
        // would cost time on the request path for nothing.
        public ILogger CreateLogger(string categoryName) =>
            categoryName is "Microsoft.AspNetCore.Server.Kestrel" or "Microsoft.AspNetCore.Server.Kestrel.BadRequests"
                ? new Watcher(counters) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose() { }

        private sealed class Watcher(WafCounters counters) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (exception is Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout }
                    || eventId.Name is "RequestHeadersTimeout" or "RequestBodyMinimumDataRateNotSatisfied")
                    counters.RecordSlowClient(null);
            }
        }
    }
}

/// <summary>A request body: the bytes already read for inspection, then the rest of the original stream.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < prefixLength)
        {
            var n = Math.Min(buffer.Length, prefixLength - _position);
            prefix.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        return await rest.ReadAsync(buffer, cancellationToken);
    }
}
