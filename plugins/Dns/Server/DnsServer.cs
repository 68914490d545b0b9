using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The authoritative DNS listener: UDP and TCP (RFC 1035 §4.2, RFC 7766 length framing, several
/// queries per connection, idle timeout) on every configured endpoint, answering from the <see cref="ServedView"/>.
/// It binds once there is a view to answer from: started early (<c>IPluginBuilder.StartEarly</c>, before the host's
/// container, migrations and web server), that is as soon as the persisted snapshot is read, so a restart answers
/// while the host is still starting. It takes nothing from the container: its meter is its own and its log waits for
/// the host's (<see cref="DeferredLogger"/>).
/// </summary>
public sealed class DnsServer : BackgroundService
{
    private readonly DnsServerOptions _options;
    private readonly QueryHandler _handler;
    private readonly ILogger _logger;
    private readonly Counter<long> _queries;
    private readonly List<Socket> _sockets = [];
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(10);
    private readonly TcpConnectionLimits _tcpLimits;
    private readonly ServedView _views;
    private readonly Meter _meter = new("Edgeplane.Plugins.Dns");
    private AnswerCache _answers = new(ZoneView.Empty);

    public DnsServer(DnsServerOptions options, ServedView views, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _views = views;
        var meter = _meter;
        var transfers = meter.CreateCounter<long>("edgeplane.dns.transfers", unit: "{transfer}", description: "Zone transfers answered, by kind: full (AXFR, or IXFR beyond the journal), incremental (IXFR), current (IXFR of an up-to-date secondary); and by the request (AXFR or IXFR)");
        _handler = new QueryHandler(() => views.Current, options, (kind, request) =>
            transfers.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("request", request)));
        _tcpLimits = new TcpConnectionLimits(options.MaxTcpConnectionsPerClient, options.MaxTcpConnections);
        _queries = meter.CreateCounter<long>("edgeplane.dns.queries", unit: "{query}", description: "DNS queries answered, by transport and response code");
    }

    private static readonly string[] RcodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

    private void Count(string transport, byte[] response) => Count(transport, response.Length > 3 ? response[3] & 0xF : 2);

    private void Count(string transport, int rcode)
    {
        if (!_queries.Enabled) return;
        _queries.Add(1, new KeyValuePair<string, object?>("transport", transport),
            new KeyValuePair<string, object?>("rcode", rcode < RcodeNames.Length ? RcodeNames[rcode] : "OTHER"));
    }

    /// <summary>The bound endpoints (after start).</summary>
    public IReadOnlyList<EndPoint> Endpoints => _sockets.Select(s => s.LocalEndPoint!).ToList();

    public Task Bound => _bound.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            _bound.TrySetResult();
            return;
        }
        try
        {
            await _views.Ready.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var loops = new List<Task>();
        try
        {
            foreach (var text in _options.Listen)
            {
                var endpoint = DnsServerOptions.ParseEndpoint(text);
                var udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(endpoint);
                _sockets.Add(udp);
                var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(endpoint);
                tcp.Listen(128);
                _sockets.Add(tcp);
                for (var i = 0; i < _options.UdpWorkers; i++)
                    loops.Add(Task.Factory.StartNew(() => UdpLoop(udp, stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                loops.Add(Task.Run(() => AcceptLoop(tcp, stoppingToken), stoppingToken));
                _logger.LogInformation("DNS server listening on {Endpoint} (UDP and TCP)", endpoint);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "DNS server could not bind {Listen}", string.Join(", ", _options.Listen));
            _bound.TrySetException(e);
            foreach (var s in _sockets) s.Dispose();
            return;
        }
        _bound.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) { }
        foreach (var s in _sockets) s.Dispose();
        try { await Task.WhenAll(loops); } catch { /* sockets closed */ }
    }

    /// <summary>
    /// One blocking receive/answer/send loop per thread: for small UDP request/response work this
    /// beats the async socket path. Allocation-free for the common questions: the peer address is
    /// received into a reused <see cref="SocketAddress"/> and the answer is written into a reused buffer,
    /// from the view's <see cref="AnswerCache"/> (when enabled) or else by <see cref="WireAnswer"/> from the
    /// zone's prebuilt wire data; only the rest (CNAME chains, referrals, ANY, EDNS options) runs (and
    /// allocates in) the <see cref="QueryHandler"/>. Closing the socket on shutdown ends the loop.
    /// </summary>
    private void UdpLoop(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var key = new byte[4096];
        var answer = new byte[65535];
        var address = new SocketAddress(socket.AddressFamily);
        var endpointFactory = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.Interrupted or SocketError.OperationAborted or SocketError.NotSocket) { return; }
            catch (SocketException) { continue; } // e.g. ICMP port unreachable from an earlier reply
            try
            {
                var query = buffer.AsSpan(0, received);
                var cache = _options.AnswerCache ? Answers() : null;
                var view = cache?.View ?? _views.Current;
                var keyLength = cache is null ? 0 : AnswerCache.MakeKey(query, key);
                var length = keyLength > 0 ? cache!.TryAnswer(key.AsSpan(0, keyLength), query, answer) : 0;
                if (length == 0) length = WireAnswer.TryAnswer(view, _options, query, answer);
                if (length > 0)
                {
                    Count("udp", answer[3] & 0xF);
                    socket.SendTo(answer.AsSpan(0, length), SocketFlags.None, address);
                    continue;
                }
                var remote = (IPEndPoint)endpointFactory.Create(address);
                var responses = _handler.Handle(query, tcp: false, remote.Address, view);
                if (responses.Count == 0) continue;
                if (keyLength > 0) cache!.Store(key.AsSpan(0, keyLength), responses[0]);
                Count("udp", responses[0].Length > 3 ? responses[0][3] & 0xF : 2);
                socket.SendTo(responses[0], SocketFlags.None, address);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { }
            catch (Exception e)
            {
                _logger.LogWarning(e, "DNS UDP query failed");
            }
        }
    }

    /// <summary>The answer cache of the current view (a new, empty one when the view changed).</summary>
    private AnswerCache Answers()
    {
        var cache = _answers;
        var view = _views.Current;
        if (ReferenceEquals(cache.View, view)) return cache;
        var fresh = new AnswerCache(view);
        return Interlocked.CompareExchange(ref _answers, fresh, cache) == cache ? fresh : _answers;
    }

    private async Task AcceptLoop(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            var address = ((IPEndPoint)client.RemoteEndPoint!).Address;
            if (!_tcpLimits.TryOpen(address))
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => ServeTcp(client, address, ct), ct);
        }
    }

    private async Task ServeTcp(Socket client, IPAddress address, CancellationToken ct)
    {
        try
        {
            using var _ = client;
            client.NoDelay = true;
            var length = new byte[2];
            var buffer = new byte[65535];
            while (!ct.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                idle.CancelAfter(TcpIdle);
                if (!await ReadExactly(client, length, idle.Token)) return;
                var size = BinaryPrimitives.ReadUInt16BigEndian(length);
                if (size == 0 || !await ReadExactly(client, buffer.AsMemory(0, size), idle.Token)) return;
                var responses = _handler.Handle(buffer.AsSpan(0, size), tcp: true, address);
                if (responses.Count == 0) return;
                Count("tcp", responses[0]);
                foreach (var response in responses)
                {
                    var framed = new byte[response.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                    response.CopyTo(framed, 2);
                    await client.SendAsync(framed, SocketFlags.None, idle.Token);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        catch (Exception e)
        {
            _logger.LogWarning(e, "DNS TCP connection failed");
        }
        finally
        {
            _tcpLimits.Close(address);
        }
    }

    private static async Task<bool> ReadExactly(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public override void Dispose()
    {
        base.Dispose();
        _meter.Dispose();
    }
}
