namespace Edgeplane.Abstractions.Events;

/// <summary>One published event: its id, the team it belongs to (if any), when it happened, and its typed data.</summary>
public sealed record EdgeplaneEvent<TData>(string Id, string? TeamId, DateTimeOffset OccurredAt, TData Data) where TData : IEventData
{
    public string Type => TData.Type;
}
