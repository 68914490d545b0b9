using System.Text;
using Edgeplane.Plugins.Compute.Engine;

namespace Edgeplane.Plugins.Compute.Tests.Engine;

public sealed class MultiplexedStreamReaderTests
{
    private static byte[] Frame(byte stream, byte[] payload) =>
        [stream, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    private static async Task<List<LogFrame>> ReadAll(byte[] bytes, int chunk = int.MaxValue)
    {
        var frames = new List<LogFrame>();
        await foreach (var frame in MultiplexedStreamReader.ReadAsync(new TrickleStream(bytes, chunk), TestContext.Current.CancellationToken))
            frames.Add(frame);
        return frames;
    }

    [Fact]
    public async Task Decodes_stdout_and_stderr_frames_in_order()
    {
        var frames = await ReadAll([.. Frame(1, "hello\n"u8.ToArray()), .. Frame(2, "oops\n"u8.ToArray()), .. Frame(1, "bye\n"u8.ToArray())]);
        Assert.Equal([new(LogStream.Stdout, "hello\n"), new(LogStream.Stderr, "oops\n"), new(LogStream.Stdout, "bye\n")], frames);
    }

    [Fact]
    public async Task Reassembles_frames_delivered_one_byte_at_a_time_and_utf8_split_across_frames()
    {
        var euro = Encoding.UTF8.GetBytes("€"); // three bytes
        var bytes = (byte[])[.. Frame(1, [(byte)'a', euro[0]]), .. Frame(1, [euro[1], euro[2], (byte)'\n'])];
        var frames = await ReadAll(bytes, chunk: 1);
        Assert.Equal("a€\n", string.Concat(frames.Select(f => f.Text)));
        Assert.All(frames, f => Assert.Equal(LogStream.Stdout, f.Stream));
    }

    [Fact]
    public async Task A_stream_without_frame_headers_is_raw_stdout()
    {
        var frames = await ReadAll("plain tty output\nline two\n"u8.ToArray(), chunk: 5);
        Assert.Equal("plain tty output\nline two\n", string.Concat(frames.Select(f => f.Text)));
        Assert.All(frames, f => Assert.Equal(LogStream.Stdout, f.Stream));
    }

    [Fact]
    public async Task Empty_stream_has_no_frames_and_a_truncated_frame_is_an_error()
    {
        Assert.Empty(await ReadAll([]));
        var truncated = Frame(1, "hello"u8.ToArray())[..10];
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAll(truncated));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, like a slow socket.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
