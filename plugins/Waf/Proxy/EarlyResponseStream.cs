using System.Net.Sockets;

namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// The upstream connection as <see cref="SocketsHttpHandler"/> sees it. An upstream may answer before it
/// has read the whole request body (a 413 or 401 for an upload) and close the connection; the handler
/// sends the whole body before it reads the response, so the write fails and the answer already waiting
/// in the socket would be lost (dotnet/runtime#119350). Here a write that fails because the peer is gone
/// is dropped, as are the writes after it: the handler then reads the upstream's real answer, or finds the
/// connection closed and reports the failure as before.
/// </summary>
internal sealed class EarlyResponseStream(NetworkStream inner) : Stream
{
    private bool _peerStoppedReading;

    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new EarlyResponseStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_peerStoppedReading) return;
        try
        {
            await inner.WriteAsync(buffer, cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted })
        {
            _peerStoppedReading = true;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => _peerStoppedReading ? Task.CompletedTask : inner.FlushAsync(cancellationToken);
    public override void Flush() { }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
