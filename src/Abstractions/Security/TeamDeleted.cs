using Edgeplane.Abstractions.Events;

namespace Edgeplane.Abstractions.Security;

/// <summary>Published by the host after a team is deleted (its rows in the host are gone; each plugin drops its own).</summary>
public sealed record TeamDeleted(TeamInfo Team) : IEventData
{
    public static string Type => "host.team.deleted";
}
