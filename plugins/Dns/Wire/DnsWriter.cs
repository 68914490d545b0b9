using System.Buffers.Binary;

namespace Edgeplane.Plugins.Dns.Wire;

/// <summary>
/// Writes a DNS message (RFC 1035 §4) into a buffer, compressing owner names against names already
/// written (§4.1.4). RDATA is written as given (uncompressed), which every resolver accepts.
/// </summary>
public sealed class DnsWriter
{
    private readonly byte[] _buffer;
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);

    public DnsWriter(byte[] buffer) => _buffer = buffer;

    public int Position { get; private set; }
    public byte[] Buffer => _buffer;

    public void Reset()
    {
        Position = 0;
        _names.Clear();
    }

    /// <summary>Moves back to <paramref name="position"/>, forgetting names written after it.</summary>
    public void Truncate(int position)
    {
        Position = position;
        foreach (var key in _names.Where(n => n.Value >= position).Select(n => n.Key).ToList()) _names.Remove(key);
    }

    public bool Fits(int bytes) => Position + bytes <= _buffer.Length;

    public void U8(byte value) => _buffer[Position++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(Position), value);
        Position += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Position), value);
        Position += 4;
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_buffer.AsSpan(Position));
        Position += data.Length;
    }

    public void PatchU16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(offset), value);

    /// <summary>
    /// Writes a name given as labels in their original case; <paramref name="key"/> is the lowercase
    /// dotted name used for compression (labels must not contain dots).
    /// </summary>
    public void Name(string name)
    {
        // name: lowercase, no trailing dot, "" for the root; written as-is (for the question, see NameRaw).
        var rest = name;
        while (rest.Length > 0)
        {
            if (_names.TryGetValue(rest, out var pointer))
            {
                U16((ushort)(0xC000 | pointer));
                return;
            }
            if (Position < 0x3FFF) _names[rest] = Position;
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            U8((byte)label.Length);
            foreach (var c in label) U8((byte)c);
            rest = dot < 0 ? "" : rest[(dot + 1)..];
        }
        U8(0);
    }

    /// <summary>Writes the question name as the client sent it (case preserved) and remembers it for compression under <paramref name="key"/>.</summary>
    public void NameRaw(IReadOnlyList<byte[]> labels, string key)
    {
        var rest = key;
        foreach (var label in labels)
        {
            if (Position < 0x3FFF && rest.Length > 0) _names.TryAdd(rest, Position);
            U8((byte)label.Length);
            Bytes(label);
            var dot = rest.IndexOf('.');
            rest = dot < 0 ? "" : rest[(dot + 1)..];
        }
        U8(0);
    }

    /// <summary>A resource record: owner, type, class IN, TTL, RDATA.</summary>
    public void Record(string owner, ushort type, int ttl, ReadOnlySpan<byte> rdata)
    {
        Name(owner);
        U16(type);
        U16(1);
        U32((uint)ttl);
        U16((ushort)rdata.Length);
        Bytes(rdata);
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Position).ToArray();
}
