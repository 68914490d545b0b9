using System.Net;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Edgeplane.Plugins.Dns.Wire;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class AnswerCacheTests
{
    private readonly ZoneView _view = new([TestZones.Snapshot("example.com", TestZones.Example)], 1);
    private readonly QueryHandler _handler;

    public AnswerCacheTests() => _handler = new QueryHandler(() => _view, new DnsServerOptions());

    /// <summary>What the UDP loop does: the cached answer when there is one, else the handler's (then cached).</summary>
    private byte[] Answer(AnswerCache cache, byte[] query, out bool hit)
    {
        var key = new byte[4096];
        var response = new byte[65535];
        var keyLength = AnswerCache.MakeKey(query, key);
        var length = keyLength > 0 ? cache.TryAnswer(key.AsSpan(0, keyLength), query, response) : 0;
        hit = length > 0;
        if (hit) return response[..length];
        var computed = Assert.Single(_handler.Handle(query, false, IPAddress.Loopback, cache.View));
        if (keyLength > 0) cache.Store(key.AsSpan(0, keyLength), computed);
        return computed;
    }

    [Theory]
    [InlineData("www.example.com", RrType.A, (ushort)1232)]
    [InlineData("example.com", RrType.MX, null)]
    [InlineData("nope.example.com", RrType.A, (ushort)1232)]
    [InlineData("example.org", RrType.A, null)]
    public void A_cached_answer_is_the_handlers_answer_with_the_querys_id_and_spelling(string name, ushort type, ushort? edns)
    {
        var cache = new AnswerCache(_view);
        Answer(cache, DnsResponse.Query(1, name, type, edns), out var first);
        Assert.False(first);
        var mixed = string.Concat(name.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
        var query = DnsResponse.Query(0xBEEF, mixed, type, edns);
        var cached = Answer(cache, query, out var hit);
        Assert.True(hit);
        var fresh = Assert.Single(_handler.Handle(query, false, IPAddress.Loopback));
        Assert.Equal(fresh, cached); // byte for byte: id, flags, the question as asked, every section
        Assert.Equal(query[12..(12 + name.Length + 2)], cached[12..(12 + name.Length + 2)]);
    }

    [Fact]
    public void Only_simple_queries_are_cached()
    {
        var key = new byte[4096];
        Assert.True(AnswerCache.MakeKey(DnsResponse.Query(1, "www.example.com", RrType.A, 1232), key) > 0);
        Assert.Equal(0, AnswerCache.MakeKey(DnsResponse.Query(1, "example.com", 252), key));        // AXFR
        Assert.Equal(0, AnswerCache.MakeKey(DnsResponse.Query(1, "example.com", 251), key));        // IXFR
        var withCookie = DnsResponse.Query(1, "www.example.com", RrType.A, 1232).Concat(new byte[] { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 }).ToArray();
        withCookie[^13] = 12; // OPT rdlength = 12: an option (a cookie) makes it per-client
        Assert.Equal(0, AnswerCache.MakeKey(withCookie, key));
        var response = DnsResponse.Query(1, "www.example.com", RrType.A);
        response[2] |= 0x80;
        Assert.Equal(0, AnswerCache.MakeKey(response, key));
        var trailing = DnsResponse.Query(1, "www.example.com", RrType.A).Append((byte)0).ToArray();
        Assert.Equal(0, AnswerCache.MakeKey(trailing, key));
        var pointer = DnsResponse.Query(1, "www.example.com", RrType.A);
        pointer[12] = 0xC0;
        Assert.Equal(0, AnswerCache.MakeKey(pointer, key));
        for (var length = 0; length < 17; length++)
            Assert.Equal(0, AnswerCache.MakeKey(new byte[length], key));
    }

    [Fact]
    public void The_cache_is_bounded()
    {
        var cache = new AnswerCache(_view);
        for (var i = 0; i < AnswerCache.MaxEntries + 10; i++)
            Answer(cache, DnsResponse.Query(1, $"n{i}.example.com", RrType.A), out _);
        Assert.InRange(cache.Count, 1, AnswerCache.MaxEntries);
    }
}
