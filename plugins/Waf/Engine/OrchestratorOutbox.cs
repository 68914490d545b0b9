namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// A node's events for the orchestrator (whose webhook subscribers receive them), kept until a heartbeat delivers
/// them: oldest first, at most <see cref="MaxPending"/> (newer ones are dropped while the orchestrator is unreachable).
/// </summary>
public sealed class OrchestratorOutbox
{
    public const int MaxPending = 10_000;
    public const int MaxPerHeartbeat = 1_000;

    private readonly LinkedList<NodeEvent> _events = new();

    public void Add(NodeEvent raised)
    {
        lock (_events)
        {
            if (_events.Count < MaxPending) _events.AddLast(raised);
        }
    }

    /// <summary>The oldest events, taken out.</summary>
    public List<NodeEvent> Take(int max)
    {
        lock (_events)
        {
            var taken = new List<NodeEvent>(Math.Min(max, _events.Count));
            while (taken.Count < max && _events.First is { } first)
            {
                taken.Add(first.Value);
                _events.RemoveFirst();
            }
            return taken;
        }
    }

    /// <summary>Events whose heartbeat failed go back to the front, to be sent again with the same ids.</summary>
    public void Return(List<NodeEvent> events)
    {
        lock (_events)
        {
            for (var i = events.Count - 1; i >= 0; i--) _events.AddFirst(events[i]);
        }
    }
}
