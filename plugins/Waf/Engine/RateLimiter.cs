using System.Collections.Concurrent;
using System.Net;
using Edgeplane.Plugins.Waf.Matching;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// A token bucket per client address: <c>rate</c> requests per second with a burst of one second's
/// worth. When the bucket is empty the answer says how long until the next token (Retry-After).
/// </summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(bool, UInt128), Bucket> _buckets = new();
    private long _lastSweep;

    public int TrackedClients => _buckets.Count;

    /// <summary>Null when allowed; otherwise the seconds to wait (at least 1).</summary>
    public int? Acquire(IPAddress address, int ratePerSecond)
    {
        if (ratePerSecond <= 0) return null;
        var now = clock.GetTimestamp();
        var frequency = clock.TimestampFrequency;
        Sweep(now, frequency);
        var bucket = _buckets.GetOrAdd(IpNetwork.ToKey(address), _ => new Bucket(ratePerSecond, now));
        lock (bucket)
        {
            var elapsed = (now - bucket.Last) / (double)frequency;
            bucket.Tokens = Math.Min(ratePerSecond, bucket.Tokens + elapsed * ratePerSecond);
            bucket.Last = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return null;
            }
            var wait = (1 - bucket.Tokens) / ratePerSecond;
            return Math.Max(1, (int)Math.Ceiling(wait));
        }
    }

    private void Sweep(long now, long frequency)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last < frequency * 10 || Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return;
        foreach (var (key, bucket) in _buckets)
            if (now - bucket.Last > frequency * 10) _buckets.TryRemove(key, out _);
    }

    private sealed class Bucket(double tokens, long last)
    {
        public double Tokens = tokens;
        public long Last = last;
    }
}
