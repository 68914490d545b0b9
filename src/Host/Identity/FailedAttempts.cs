using System.Threading.RateLimiting;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Counts failed credentials per source address; past the limit (a fixed window of one minute) that
/// address gets 429 until the window ends. Configured by <c>Edgeplane:Security:FailedAttemptsPerMinute</c>.
/// </summary>
public sealed class FailedAttempts(int perMinute) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public bool IsBlocked(string address) => _limiter.GetStatistics(address)?.CurrentAvailablePermits == 0;

    public void Record(string address) => _limiter.AttemptAcquire(address).Dispose();

    public void Dispose() => _limiter.Dispose();
}
