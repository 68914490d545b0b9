namespace Edgeplane.Abstractions.Events;

/// <summary>Publishes domain events to the in-process handlers (<see cref="IEventHandler{TData}"/>) of every plugin.</summary>
public interface IEventPublisher
{
    /// <summary>Publishes <paramref name="data"/> as an event of type <c>TData.Type</c>, for <paramref name="teamId"/> when it belongs to a team.</summary>
    Task PublishAsync<TData>(TData data, string? teamId = null, CancellationToken cancellationToken = default) where TData : IEventData;
}
