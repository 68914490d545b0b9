using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The logger of a service that starts before the host's logging exists (<see cref="DnsServer"/>, started early): what
/// it logs waits here until the host's logger is attached (<see cref="Attachment"/>, the plugin's first hosted service),
/// then goes there.
/// </summary>
public sealed class DeferredLogger : ILogger
{
    private readonly Lock _gate = new();
    private ILogger? _target;
    private List<Action<ILogger>>? _waiting = [];

    public void Attach(ILogger target)
    {
        List<Action<ILogger>> waiting;
        lock (_gate)
        {
            _target = target;
            waiting = _waiting!;
            _waiting = null;
        }
        foreach (var entry in waiting) entry(target);
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ILogger? target;
        lock (_gate)
        {
            target = _target;
            if (target is null)
            {
                _waiting!.Add(l => l.Log(logLevel, eventId, state, exception, formatter));
                return;
            }
        }
        target.Log(logLevel, eventId, state, exception, formatter);
    }

    public bool IsEnabled(LogLevel logLevel) => _target?.IsEnabled(logLevel) ?? logLevel >= LogLevel.Information;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _target?.BeginScope(state);

    /// <summary>Attaches the host's logger when the plugin's hosted services start.</summary>
    public sealed class Attachment(DeferredLogger logger, ILogger target) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.Attach(target);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
