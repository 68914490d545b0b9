using Edgeplane.Plugins.Rollouts.Tests.Support;
using Edgeplane.Testing.Conformance;

namespace Edgeplane.Plugins.Rollouts.Tests;

/// <summary>Deleting a host team deletes every row of the team's fleet (an enrolled device too), artifacts, evidence and deployments, and takes its targets out of the signed repository.</summary>
[Collection(RolloutsCollection.Name)]
public sealed class TeamDeletionTests(RolloutsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_a_team_deletes_its_devices_artifacts_evidence_and_rollouts()
    {
        await NodeGrpc.EnsureInstalledAsync();
        var teamId = "";
        var leftovers = await TeamDeletion.LeftoversAsync(fixture.Host, team =>
        {
            teamId = team.TeamId;
            return RolloutsTeamData.CreateAsync(team, fixture.DeviceTarget, fixture.CaPath, fixture.Work.Combine("doomed"));
        }, RolloutsTeamData.Kept, Ct);

        Assert.True(leftovers.Count == 0, string.Join("\n", leftovers));
        var targets = await fixture.Host.Client.GetStringAsync("/rollouts/tuf/targets.json", Ct);
        Assert.DoesNotContain(teamId, targets);
    }
}
