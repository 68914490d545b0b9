namespace Edgeplane.Abstractions.Events;

/// <summary>
/// The data of one kind of domain event, usually a record: <c>record InstanceRunning(string Id, string Name) : IEventData
/// { public static string Type => "compute.instance.running"; }</c>. <see cref="Type"/> names the event in logs and
/// timelines (<c>{plugin}.{aggregate}.{what happened}</c>); its properties are the payload.
/// </summary>
public interface IEventData
{
    static abstract string Type { get; }
}
