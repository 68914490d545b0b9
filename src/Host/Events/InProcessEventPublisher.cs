using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Events;

namespace Edgeplane.Host.Events;

/// <summary>Delivers each event to every registered <see cref="IEventHandler"/>, in order; one failing handler does not stop the rest.</summary>
public sealed class InProcessEventPublisher(IEnumerable<IEventHandler> handlers, TimeProvider clock, ILogger<InProcessEventPublisher> logger) : IEventPublisher
{
    public async Task PublishAsync(string type, object data, string? teamId = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var @event = new EdgeplaneEvent(Ids.New(now), type, teamId, now, data);
        foreach (var handler in handlers)
        {
            try
            {
                await handler.HandleAsync(@event, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Event handler {Handler} failed on {EventType}", handler.GetType().Name, type);
            }
        }
    }
}
