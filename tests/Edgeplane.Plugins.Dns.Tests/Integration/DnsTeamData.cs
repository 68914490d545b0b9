using System.Net;
using Edgeplane.Testing.Conformance;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>A team's DNS data: a zone with records, shared with another user (the conformance kit deletes the team and looks for them).</summary>
public static class DnsTeamData
{
    public static async Task<IReadOnlyCollection<string>> CreateAsync(TeamAdmin team)
    {
        var zone = $"z{Guid.NewGuid():N}"[..14] + ".example";
        var created = await team.Key.PostJsonAsync("/dns/api/zones/add", new { zone }, HttpStatusCode.Created);
        await team.Key.PostJsonAsync($"/dns/api/zone/{zone}/add", new { label = "www", type = "A", ttl = 300, value = "192.0.2.1" }, HttpStatusCode.Created);
        await team.Key.PostJsonAsync($"/dns/api/zone/{zone}/add", new { label = "@", type = "MX", ttl = 300, value = "mail." + zone, priority = 10 }, HttpStatusCode.Created);
        await team.Key.PostJsonAsync($"/dns/api/zone/{zone}/users", new { username = "admin" }, HttpStatusCode.OK);
        return [(string)created["id"]!];
    }
}
