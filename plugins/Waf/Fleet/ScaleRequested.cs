using Edgeplane.Abstractions.Events;

namespace Edgeplane.Plugins.Waf.Fleet;

/// <summary>An operator asked for more or fewer mitigation nodes (<c>POST /api/v1/scale</c>); an autoscaler acts on it.</summary>
public sealed record ScaleRequested(string Id, string Action, long Count, long CurrentNodes, long DesiredNodes) : IEventData
{
    public static string Type => "waf.scale_requested";
}
