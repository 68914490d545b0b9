using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// CRC-32C (Castagnoli) of bytes, with the processor's CRC instruction where there is one (<see cref="BitOperations.Crc32C(uint, ulong)"/>):
/// the snapshot's checksum. It detects a torn or damaged file as well as a cryptographic hash would (nothing here guards
/// against a deliberate change: whoever can write the file can write its checksum too), and costs about a millisecond
/// for a 5 MB snapshot on a restart, where SHA-256's first use loaded and started OpenSSL (~20 ms of CPU).
/// </summary>
public static class Crc32C
{
    public static uint Of(ReadOnlySpan<byte> bytes) => ~Append(~0u, bytes);

    /// <summary>The running (not yet inverted) CRC after <paramref name="bytes"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words) crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        foreach (var b in bytes[(words.Length * sizeof(ulong))..]) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>
    /// A read-only stream over the next <paramref name="length"/> bytes of <paramref name="inner"/> that keeps the CRC-32C of
    /// the bytes read through it and how many are left.
    /// </summary>
    public sealed class Reading(Stream inner, long length) : Stream
    {
        private uint _crc = ~0u;

        public uint Value => ~_crc;

        /// <summary>The bytes not read yet.</summary>
        public long Remaining { get; private set; } = length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
            _crc = Append(_crc, buffer[..read]);
            Remaining -= read;
            return read;
        }

        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A write-only stream that passes every byte on to <paramref name="inner"/> and keeps their CRC-32C.</summary>
    public sealed class Writing(Stream inner) : Stream
    {
        private uint _crc = ~0u;

        public uint Value => ~_crc;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _crc = Append(_crc, buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
