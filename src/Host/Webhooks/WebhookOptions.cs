namespace Edgeplane.Host.Webhooks;

/// <summary>
/// <c>Edgeplane:Webhooks:…</c>: where the signing-secret key ring lives and how deliveries are retried.
/// Attempt n (1-based) that fails is retried after <c>min(MaxRetrySeconds, FirstRetrySeconds · 2^(n-1))</c>;
/// after <see cref="MaxAttempts"/> attempts the delivery is <c>failed</c>.
/// </summary>
public sealed record WebhookOptions
{
    /// <summary>The Data Protection key ring that encrypts signing secrets. Hosts sharing a database must share it.</summary>
    public required string KeyDirectory { get; init; }
    public int MaxAttempts { get; init; } = 8;
    public double FirstRetrySeconds { get; init; } = 2;
    public double MaxRetrySeconds { get; init; } = 300;
    public double TimeoutSeconds { get; init; } = 10;
    public double PollIntervalSeconds { get; init; } = 1;
    /// <summary>Deliveries sent at the same time by the instance that holds the lease.</summary>
    public int Parallelism { get; init; } = 8;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);
    /// <summary>One batch is at most two rounds of <see cref="Parallelism"/> requests; the lease outlives it with room to spare.</summary>
    public int BatchSize => Parallelism * 2;
    public TimeSpan LeaseDuration => TimeSpan.FromSeconds(Math.Max(30, TimeoutSeconds * 6));

    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetrySeconds, FirstRetrySeconds * Math.Pow(2, Math.Max(0, attempts - 1))));

    public static WebhookOptions From(IConfiguration configuration, string dataDirectory)
    {
        var section = configuration.GetSection("Edgeplane:Webhooks");
        var options = new WebhookOptions
        {
            KeyDirectory = Path.GetFullPath(section["KeyDirectory"] ?? Path.Combine(dataDirectory, "keys")),
            MaxAttempts = section.GetValue("MaxAttempts", 8),
            FirstRetrySeconds = section.GetValue("FirstRetrySeconds", 2.0),
            MaxRetrySeconds = section.GetValue("MaxRetrySeconds", 300.0),
            TimeoutSeconds = section.GetValue("TimeoutSeconds", 10.0),
            PollIntervalSeconds = section.GetValue("PollIntervalSeconds", 1.0),
            Parallelism = section.GetValue("Parallelism", 8),
        };
        if (options.MaxAttempts < 1 || options.FirstRetrySeconds <= 0 || options.MaxRetrySeconds < options.FirstRetrySeconds
            || options.TimeoutSeconds <= 0 || options.PollIntervalSeconds <= 0 || options.Parallelism < 1)
            throw new InvalidOperationException("Edgeplane:Webhooks: MaxAttempts, Parallelism ≥ 1; FirstRetrySeconds, TimeoutSeconds, PollIntervalSeconds > 0; MaxRetrySeconds ≥ FirstRetrySeconds");
        return options;
    }
}
