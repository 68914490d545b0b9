using Edgeplane.Abstractions.Security;

namespace Acme.Widgets.Data;

/// <summary>When the host deletes a team, its widgets go too.</summary>
public sealed class TeamWidgetsCleanup(WidgetStore store) : TeamDataCleanup
{
    public override Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken) => store.DeleteTeamAsync(teamId);
}
