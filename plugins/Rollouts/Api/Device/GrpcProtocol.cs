using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Plugins.Rollouts.Api.Device;

/// <summary>
/// The parts of the gRPC-over-HTTP/2 wire protocol a unary server needs (grpc/doc/PROTOCOL-HTTP2.md):
/// length-prefixed messages, <c>grpc-timeout</c>, and the status in trailers (or trailers-only).
/// </summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";

    /// <summary>Parses a <c>grpc-timeout</c> header value (1-8 digits and a unit H, M, S, m, u or n); null when absent or malformed.</summary>
    public static TimeSpan? ParseTimeout(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9) return null;
        if (!long.TryParse(value.AsSpan(0, value.Length - 1), System.Globalization.NumberStyles.None, null, out var amount)) return null;
        return value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => null,
        };
    }

    /// <summary>Reads exactly one length-prefixed, uncompressed message (a unary request).</summary>
    public static async Task<T> ReadMessageAsync<T>(PipeReader reader, MessageParser<T> parser, long maxBytes, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= 5)
            {
                var header = new byte[5];
                buffer.Slice(0, 5).CopyTo(header);
                if (header[0] != 0) throw new RpcException(GrpcStatus.Unimplemented, "compressed messages are not supported (grpc-encoding identity only)");
                var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
                if (length > maxBytes) throw new RpcException(GrpcStatus.ResourceExhausted, $"message of {length} bytes is larger than the limit of {maxBytes}");
                if (buffer.Length >= 5 + length)
                {
                    var body = buffer.Slice(5, length);
                    if (buffer.Length > 5 + length) throw new RpcException(GrpcStatus.Unimplemented, "a unary call carries exactly one request message");
                    T message;
                    try
                    {
                        message = parser.ParseFrom(body);
                    }
                    catch (InvalidProtocolBufferException e)
                    {
                        throw new RpcException(GrpcStatus.Internal, "the request message could not be parsed: " + e.Message);
                    }
                    reader.AdvanceTo(buffer.End);
                    if (!result.IsCompleted)
                    {
                        // Drain to the end of the stream: a second message is a protocol error.
                        var rest = await reader.ReadAsync(cancellationToken);
                        var extra = rest.Buffer.Length;
                        reader.AdvanceTo(rest.Buffer.End);
                        if (extra > 0) throw new RpcException(GrpcStatus.Unimplemented, "a unary call carries exactly one request message");
                    }
                    return message;
                }
            }
            if (result.IsCompleted)
                throw new RpcException(GrpcStatus.Internal, buffer.Length == 0 ? "the request has no message" : "the request message is truncated");
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes one length-prefixed message.</summary>
    public static async Task WriteMessageAsync(HttpResponse response, IMessage message, CancellationToken cancellationToken)
    {
        var size = message.CalculateSize();
        var writer = response.BodyWriter;
        var span = writer.GetSpan(5 + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.WriteTo(span.Slice(5, size));
        writer.Advance(5 + size);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Percent-encodes a status message as the protocol asks (grpc-message).</summary>
    public static string EncodeMessage(string message)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7e && b != (byte)'%') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2"));
        }
        return builder.ToString();
    }
}
