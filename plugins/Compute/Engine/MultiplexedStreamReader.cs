using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Edgeplane.Plugins.Compute.Engine;

/// <summary>
/// Decodes the Engine API's multiplexed log stream (containers without a TTY): frames of an 8-byte
/// header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, a big-endian 32-bit length —
/// then that many bytes. A stream that does not start with such a header (a TTY container) is raw
/// stdout. UTF-8 sequences split across frames are decoded correctly (one decoder per stream).
/// </summary>
public static class MultiplexedStreamReader
{
    public const int MaxFrame = 16 * 1024 * 1024;

    public static async IAsyncEnumerable<LogFrame> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var header = new byte[8];
        var decoders = new[] { Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder() };
        var first = true;
        var buffer = new byte[8192];
        while (true)
        {
            var got = await FillAsync(stream, header, cancellationToken);
            if (got == 0) yield break;
            if (first)
            {
                first = false;
                if (got < 8 || header[0] > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0)
                {
                    // Not multiplexed: everything is stdout.
                    var decoder = decoders[1];
                    var text = Decode(decoder, header.AsSpan(0, got), flush: false);
                    if (text.Length > 0) yield return new LogFrame(LogStream.Stdout, text);
                    int n;
                    while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        text = Decode(decoder, buffer.AsSpan(0, n), flush: false);
                        if (text.Length > 0) yield return new LogFrame(LogStream.Stdout, text);
                    }
                    text = Decode(decoder, [], flush: true);
                    if (text.Length > 0) yield return new LogFrame(LogStream.Stdout, text);
                    yield break;
                }
            }
            if (got < 8) throw new EndOfStreamException("truncated log frame header");
            var kind = (LogStream)header[0];
            if (header[0] > 2) throw new InvalidDataException($"unknown log stream type {header[0]}");
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            if (length > MaxFrame) throw new InvalidDataException($"log frame of {length} bytes exceeds {MaxFrame}");
            var payload = length <= buffer.Length ? buffer : new byte[length];
            var read = await FillAsync(stream, payload.AsMemory(0, (int)length), cancellationToken);
            if (read < length) throw new EndOfStreamException("truncated log frame");
            var frameText = Decode(decoders[(int)kind], payload.AsSpan(0, (int)length), flush: false);
            if (frameText.Length > 0) yield return new LogFrame(kind, frameText);
        }
    }

    private static string Decode(Decoder decoder, ReadOnlySpan<byte> bytes, bool flush)
    {
        var chars = new char[decoder.GetCharCount(bytes, flush)];
        var count = decoder.GetChars(bytes, chars, flush);
        return new string(chars, 0, count);
    }

    private static async Task<int> FillAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], cancellationToken);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
