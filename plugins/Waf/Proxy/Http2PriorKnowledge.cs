using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// h2c with prior knowledge on the proxy's cleartext listener, beside HTTP/1.1. Without TLS there is no
/// ALPN, and Kestrel serves a cleartext HTTP/1.1-and-HTTP/2 endpoint as HTTP/1.1 only (dotnet/aspnetcore#56984):
/// this connection middleware peeks at the first bytes and, when they are the HTTP/2 connection preface
/// (RFC 9113 §3.4), tells Kestrel to run HTTP/2 on that connection; the bytes stay unread for Kestrel.
/// The choice goes through Kestrel's per-connection protocols feature, which is internal: on a Kestrel
/// without it, <see cref="Available"/> is false and the listener serves HTTP/1.1 as before.
/// </summary>
internal static class Http2PriorKnowledge
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static readonly Type? ProtocolsFeature =
        typeof(KestrelServerOptions).Assembly.GetType("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.HttpProtocolsFeature");

    private static readonly object? Http2Only = ProtocolsFeature?.GetConstructor([typeof(HttpProtocols)])?.Invoke([HttpProtocols.Http2]);

    public static bool Available => Http2Only is not null;

    /// <summary>A client must have shown which protocol it speaks within <paramref name="timeout"/> (the request-headers timeout), or it is cut.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeSpan timeout) => next => async connection =>
    {
        bool http2;
        try
        {
            using var deadline = new CancellationTokenSource(timeout);
            http2 = await StartsWithPrefaceAsync(connection, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            connection.Abort(new ConnectionAbortedException("no request within the request-headers timeout"));
            return;
        }
        if (http2) connection.Features[ProtocolsFeature!] = Http2Only;
        await next(connection);
    };

    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var (matches, complete) = Compare(result.Buffer);
            if (!matches || complete || result.IsCompleted)
            {
                input.AdvanceTo(result.Buffer.Start); // nothing consumed or examined: Kestrel reads the same bytes
                return matches && complete;
            }
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End); // a beginning of the preface so far: wait for more
        }
    }

    private static (bool Matches, bool Complete) Compare(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        return (head[..length].SequenceEqual(Preface.AsSpan(0, length)), length == Preface.Length);
    }
}
