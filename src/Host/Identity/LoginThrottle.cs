using System.Threading.RateLimiting;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>
/// The host's protection of every password check (its own login, plugins' logins and sign-ups, password changes):
/// at most <c>Edgeplane:Security:LoginAttemptsPerMinute</c> attempts per source address (a fixed window of one
/// minute), and none from an address locked out by <see cref="FailedAttempts"/>. A refused attempt throws
/// <see cref="IdentityRefusedException"/> (429).
/// </summary>
public sealed class LoginThrottle(int attemptsPerMinute, FailedAttempts failures, IHttpContextAccessor accessor) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _attempts = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = attemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Counts an attempt from the current request's address, or throws when that address may not try now.</summary>
    public void Enter()
    {
        var address = Address;
        if (failures.IsBlocked(address))
            throw new IdentityRefusedException(StatusCodes.Status429TooManyRequests, "too many failed credentials from this address; try again later");
        using var lease = _attempts.AttemptAcquire(address);
        if (!lease.IsAcquired)
            throw new IdentityRefusedException(StatusCodes.Status429TooManyRequests, "too many login attempts from this address; try again later");
    }

    /// <summary>Records a wrong password from the current request's address toward its lockout.</summary>
    public void Failed() => failures.Record(Address);

    private string Address => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public void Dispose() => _attempts.Dispose();
}
