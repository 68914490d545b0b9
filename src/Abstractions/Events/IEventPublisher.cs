namespace Edgeplane.Abstractions.Events;

/// <summary>Publishes domain events to in-process handlers (<see cref="IEventHandler"/>) in every plugin.</summary>
public interface IEventPublisher
{
    Task PublishAsync(string type, object data, string? teamId = null, CancellationToken cancellationToken = default);
}

/// <summary>Receives every published event; register as a service. Handlers must be quick and must not throw.</summary>
public interface IEventHandler
{
    Task HandleAsync(EdgeplaneEvent @event, CancellationToken cancellationToken);
}

public sealed record EdgeplaneEvent(string Id, string Type, string? TeamId, DateTimeOffset OccurredAt, object Data);
