using Edgeplane.Plugins.Dns.Data;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Dns.Jobs;

/// <summary>A deleted team's zones go with it: their records, shares and NOTIFY state (each zone's last serial is kept, as for any deleted zone).</summary>
public sealed class TeamZonesCleanup(ZoneStore store, ILogger<TeamZonesCleanup> logger) : TeamDataCleanup
{
    public override async Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken)
    {
        var zones = await store.DeleteTeamZonesAsync(teamId, cancellationToken);
        if (zones > 0) logger.LogInformation("Team {Team} deleted: removed its {Zones} zones", teamId, zones);
    }
}
