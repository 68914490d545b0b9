using System.Net;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// Whether a plugin drops a team's data when the host deletes the team (<c>host.team.deleted</c>): a new team's admin
/// creates data through the plugin's API, the host admin deletes the team through <c>DELETE /api/v1/teams/{id}</c>,
/// and no row of any table may still hold the team's id or the id of anything created for it.
/// </summary>
public static class TeamDeletion
{
    /// <summary>Tables that keep a deleted team's id on purpose whatever the plugin, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> HostJournals = new Dictionary<string, string>
    {
        ["host_audit"] = "the audit trail records what was done in the team and outlives it",
    };

    /// <summary>
    /// What is left after the deletion (empty when the plugin cleans up). <paramref name="createTeamData"/> gets the
    /// new team's admin (an API key and a session), creates the team's data and returns the ids of what it created;
    /// <paramref name="kept"/> names tables that keep history of the team on purpose, with the reason.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LeftoversAsync(HostProcess host, Func<TeamAdmin, Task<IReadOnlyCollection<string>>> createTeamData,
        IReadOnlyDictionary<string, string>? kept = null, CancellationToken cancellationToken = default)
    {
        using var identity = await IdentityClient.SignInAsAdminAsync(host);
        var teamId = await identity.CreateTeamAsync($"doomed-{Guid.NewGuid():N}"[..20]);
        IReadOnlyCollection<string> ids;
        using (var admin = await TeamAdmin.CreateAsync(host, identity, teamId))
            ids = await createTeamData(admin);
        var skip = HostJournals.Keys.Concat(kept?.Keys ?? []).ToHashSet(StringComparer.Ordinal);
        var scan = DatabaseScan.Of(host);
        var problems = new List<string>();
        foreach (var id in ids)
            if ((await scan.FindAsync(id, skip, cancellationToken)).Count == 0)
                problems.Add($"before the deletion no row holds {id}: the check cannot see it go");

        using (var deleted = await identity.Session.DeleteAsync($"/api/v1/teams/{teamId}", cancellationToken))
            if (deleted.StatusCode != HttpStatusCode.NoContent)
                problems.Add($"DELETE /api/v1/teams/{teamId}: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync(cancellationToken)}");

        foreach (var (value, what) in ids.Select(id => (id, $"the id {id}")).Prepend((teamId, $"the team id {teamId}")))
            foreach (var row in await scan.FindAsync(value, skip, cancellationToken))
                problems.Add($"{row} still hold {what}");
        return problems;
    }
}
