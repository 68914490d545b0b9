using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Events;

namespace Edgeplane.Host.Events;

/// <summary>Delivers each event to every registered <see cref="IEventHandler{TData}"/> of its type, in order; one failing handler does not stop the rest.</summary>
public sealed class InProcessEventPublisher(IServiceProvider services, TimeProvider clock, ILogger<InProcessEventPublisher> logger) : IEventPublisher
{
    public async Task PublishAsync<TData>(TData data, string? teamId = null, CancellationToken cancellationToken = default) where TData : IEventData
    {
        var now = clock.GetUtcNow();
        var @event = new EdgeplaneEvent<TData>(Ids.New(now), teamId, now, data);
        foreach (var handler in services.GetServices<IEventHandler<TData>>())
        {
            try
            {
                await handler.HandleAsync(@event, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Event handler {Handler} failed on {EventType}", handler.GetType().Name, TData.Type);
            }
        }
    }
}
