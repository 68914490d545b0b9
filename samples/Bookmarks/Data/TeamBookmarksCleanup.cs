using Edgeplane.Abstractions.Security;

namespace Acme.Bookmarks.Data;

/// <summary>When the host deletes a team, its bookmarks go too.</summary>
public sealed class TeamBookmarksCleanup(BookmarkStore store) : TeamDataCleanup
{
    public override Task DeleteTeamDataAsync(string teamId, CancellationToken cancellationToken) => store.DeleteTeamAsync(teamId);
}
