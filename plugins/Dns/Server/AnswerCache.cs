using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// Precomputed UDP answers of one <see cref="ZoneView"/>: the complete response message for a simple
/// query (one question, no other records but an option-less EDNS OPT), keyed by the query's bytes after
/// its id with the name lowercased. A hit copies the stored response, puts the query's id and the
/// query's own spelling of the name in it (the answers point at the question's name by compression), and
/// is sent without parsing, zone lookup or allocation. Everything else (and the first query of each
/// kind) goes through <see cref="QueryHandler"/>, whose answer is then stored. A new view (any zone
/// change, <c>refresh_zones</c>, <c>refresh_cache</c>) starts an empty cache, so answers never outlive
/// the data they came from. Bounded: when <see cref="MaxEntries"/> is reached the cache starts over (a
/// flood of random names costs only misses).
/// </summary>
public sealed class AnswerCache
{
    public const int MaxEntries = 20_000;
    public ZoneView View { get; }
    private readonly ConcurrentDictionary<byte[], byte[]> _answers = new(ByteKeys.Instance);
    private readonly ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public AnswerCache(ZoneView view)
    {
        View = view;
        _lookup = _answers.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>
    /// Writes the key of <paramref name="query"/> into <paramref name="key"/> and returns its length, or 0
    /// when the query is not a simple one (then it is never cached).
    /// </summary>
    public static int MakeKey(ReadOnlySpan<byte> query, Span<byte> key)
    {
        if (query.Length < 17 || query.Length - 2 > key.Length) return 0;
        var flags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        if ((flags & 0x8000) != 0 || (flags & 0x7800) != 0) return 0; // a response, or not a standard query
        if (BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(query[6..]) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(query[8..]) != 0) return 0;
        var additional = BinaryPrimitives.ReadUInt16BigEndian(query[10..]);
        if (additional > 1) return 0;
        var pos = 12;
        while (true)
        {
            if (pos >= query.Length) return 0;
            int len = query[pos];
            if (len == 0) break;
            if (len > 63) return 0; // compression pointers and extended labels are for the full parser
            pos += 1 + len;
            if (pos - 12 > 254) return 0;
        }
        pos += 1 + 4; // root label, type, class
        if (pos > query.Length) return 0;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query[(pos - 4)..]);
        if (type is 251 or 252) return 0; // IXFR, AXFR
        if (additional == 1)
        {
            // exactly one OPT at the root with no options (cookies and other options vary per client)
            if (pos + 11 != query.Length || query[pos] != 0 || BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 1)..]) != 41
                || BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 9)..]) != 0) return 0;
        }
        else if (pos != query.Length) return 0;
        query[2..].CopyTo(key);
        // lowercase the name (offset 12 in the query is 10 in the key)
        for (var i = 10; i < pos - 2 - 4; i++)
        {
            var b = key[i];
            if (b is >= (byte)'A' and <= (byte)'Z') key[i] = (byte)(b | 0x20);
        }
        return query.Length - 2;
    }

    /// <summary>Copies the stored answer for the key into <paramref name="response"/>, adapted to the query; its length, or 0.</summary>
    public int TryAnswer(ReadOnlySpan<byte> key, ReadOnlySpan<byte> query, Span<byte> response)
    {
        if (!_lookup.TryGetValue(key, out var stored) || stored.Length > response.Length) return 0;
        stored.CopyTo(response);
        query[..2].CopyTo(response);                 // id
        var nameEnd = 12;
        while (query[nameEnd] != 0) nameEnd += 1 + query[nameEnd];
        query[12..nameEnd].CopyTo(response[12..]);   // the question exactly as asked (0x20 case)
        return stored.Length;
    }

    public void Store(ReadOnlySpan<byte> key, byte[] response)
    {
        if (response.Length < 12) return;
        if (_answers.Count >= MaxEntries) _answers.Clear();
        _answers.TryAdd(key.ToArray(), response);
    }

    public int Count => _answers.Count;
}
