namespace Edgeplane.Plugins.Ebpf.Api;

/// <summary>A request body read whole, up to a limit (a report is parsed from one buffer).</summary>
internal static class BoundedBody
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream stream, long? declared, long limit, CancellationToken ct)
    {
        // With a declared length (already checked against the limit) read straight into one array.
        var buffer = new byte[declared is { } d and > 0 ? d + 1 : 64 * 1024];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > limit) return null;
                Array.Resize(ref buffer, (int)Math.Min(limit + 1, buffer.Length * 2L));
            }
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
            if (length > limit) return null;
        }
        return buffer.AsMemory(0, length);
    }
}
