namespace Edgeplane.Plugins.Waf.Proxy;

/// <summary>
/// The id each proxied request is given (<c>X-Request-Id</c>, the block log's key): the shape of the SDK's <c>Ids.New()</c>
/// (26 characters of Crockford base32, a millisecond timestamp then 80 random bits) with the random bits from
/// <see cref="Random.Shared"/>. <c>Ids.New()</c> asks the system's cryptographic generator, which costs a system call
/// per request (OpenSSL checks the process id on each call); a request id names a request, it guards nothing.
/// </summary>
internal static class RequestIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string New() => New(DateTimeOffset.UtcNow, Random.Shared);

    public static string New(DateTimeOffset time, Random random)
    {
        Span<byte> random80 = stackalloc byte[10];
        random.NextBytes(random80);
        var ms = (ulong)time.ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFF;
        var bits = new UInt128(ms << 16 | BitConverter.ToUInt16(random80), BitConverter.ToUInt64(random80[2..]));
        return string.Create(26, bits, static (chars, value) =>
        {
            for (var i = 25; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }
}
