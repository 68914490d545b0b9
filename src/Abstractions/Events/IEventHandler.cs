namespace Edgeplane.Abstractions.Events;

/// <summary>
/// Receives every published event of one data type; register as a service
/// (<c>services.AddSingleton&lt;IEventHandler&lt;TeamDeleted&gt;, MyHandler&gt;()</c>). Handlers run in the publisher's
/// call, in registration order: they must be quick; one that throws is logged and does not stop the others.
/// </summary>
public interface IEventHandler<TData> where TData : IEventData
{
    Task HandleAsync(EdgeplaneEvent<TData> @event, CancellationToken cancellationToken);
}
