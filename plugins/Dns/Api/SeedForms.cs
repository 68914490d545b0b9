using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// Zones and records as PacketFrame's API showed them (the <c>message</c> of a seed mount's answers): a record's
/// <c>index</c> is its position in the zone's list (from 0, renumbered after a delete) and its <c>value</c> is the
/// original's (MX and SRV with their numbers in front); the stable index Edgeplane keeps is the extension <c>id</c>.
/// </summary>
public static class SeedForms
{
    public static object Record(string zone, DnsRecord r, int position) => new
    {
        label = r.Name,
        ttl = r.Ttl,
        type = r.Type,
        value = r.Type is "MX" or "SRV" or "CAA" ? r.Presentation() : r.Value,
        index = position,
        id = r.Index,
        name = DnsNames.Absolute(r.Name, zone) + ".",
        priority = r.Priority,
        weight = r.Weight,
        port = r.Port,
        flags = r.Flags,
        tag = r.Tag,
        rdata = r.Presentation(),
    };

    /// <summary>RFC 2181's largest TTL, which PacketFrame accepted.</summary>
    public const int MaxTtl = int.MaxValue;

    /// <summary>
    /// A record as the original took it: TTLs up to <see cref="MaxTtl"/>, and a TXT value in quotes read as the zone
    /// file line the original wrote it into (<c>"v=spf1 -all"</c> is the text <c>v=spf1 -all</c>; several quoted
    /// strings are joined), so that its users' quotes are not published as part of the text.
    /// </summary>
    public static RecordInput Input(string zone, RecordInput input, FieldErrors errors)
    {
        input = input with { MaxTtl = MaxTtl };
        if (!string.Equals(input.Type?.Trim(), "TXT", StringComparison.OrdinalIgnoreCase) || input.Value?.Trim() is not ['"', ..] quoted) return input;
        var file = MasterFileReader.Read($"@ 3600 IN TXT {quoted}\n", zone);
        if (file.Errors.Count > 0 || file.Records.Count != 1)
        {
            errors.Add("value", "a value in quotes must be zone-file character-strings (\"text\" \"more text\", with \\\" for a quote)");
            return input;
        }
        return input with { Value = file.Records[0].Input.Value };
    }

    public static IEnumerable<object> Records(string zone, IEnumerable<DnsRecord> records) => records.Select((r, i) => Record(zone, r, i));

    /// <summary>The usernames with access to the zone, its owner first (the original's <c>users</c> list).</summary>
    public static async Task<List<string>> UsernamesAsync(ZoneRow zone, ZoneStore store, IIdentityService identity, CancellationToken ct)
    {
        var usernames = new List<string>();
        foreach (var userId in (await store.ListZoneUsersAsync(zone.Id, ct)).Select(u => u.UserId).Prepend(zone.OwnerUserId))
            if (await identity.FindUserAsync(userId, ct) is { } user) usernames.Add(user.Username);
        return usernames;
    }

    /// <summary>A zone as <c>/zones/list</c> showed it: name, records, serial, users and forward/reverse type, with Edgeplane's fields beside them.</summary>
    public static async Task<object> ZoneAsync(ZoneRow zone, ZoneStore store, IIdentityService identity, CancellationToken ct) => new
    {
        zone = zone.Name,
        records = Records(zone.Name, await store.ListRecordsAsync(zone.Id, ct)),
        serial = zone.Serial,
        users = await UsernamesAsync(zone, store, identity, ct),
        type = zone.Name.EndsWith(".arpa", StringComparison.Ordinal) ? "reverse" : "forward",
        id = zone.Id,
        teamId = zone.TeamId,
        ownerUserId = zone.OwnerUserId,
        createdAt = zone.CreatedAt,
        updatedAt = zone.UpdatedAt,
    };
}
