using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Plugins.Dns.Records;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>Zones: add, list, delete, users (sharing) and the RFC 1035 export.</summary>
public sealed class ZonesModule : ICarterModule
{
    private static IResult SharedOnly(ZoneRow zone) =>
        Problems.Forbidden($"{zone.Name} is shared with you: sharing grants record access only; its owner's team deletes and shares it");

    public static string? CheckZoneName(string name)
    {
        if (DnsNames.IsAddressLike(name)) return "must be a domain name, not an IP address (a reverse zone is named like 2.0.192.in-addr.arpa)";
        if (DnsNames.Check(name, allowUnderscore: false) is { } problem) return problem;
        return name.Contains('.') ? null : "must have at least two labels (e.g. example.com)";
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere();

        api.MapPost("/zones/add", async Task<IResult> (Body<NewZone> request, HttpContext http, ICaller caller, ZoneStore store, ZoneViewProvider views, PublicSuffixFile suffixes,
            IAuditLog audit, ILogger<ZonesModule> logger, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Value.Zone)) return Problems.Field("zone", "is required");
            var name = DnsNames.Normalize(request.Value.Zone);
            if (CheckZoneName(name) is { } problem) return Problems.Field("zone", problem);
            // Without the list nobody can tell co.uk from example.co.uk: no zone is added until it can be read.
            if (suffixes.Current() is not { } publicSuffixes)
            {
                logger.LogError("The Public Suffix List {Path} cannot be read: zones cannot be added (install Debian's publicsuffix package or set Edgeplane:Plugins:dns:PublicSuffixList)", suffixes.Path);
                return TypedResults.Problem(statusCode: 503, title: "Zones cannot be added now",
                    detail: "The server cannot read its Public Suffix List; the operator must install it (see the DNS plugin's README).");
            }
            if (publicSuffixes.IsPublicSuffix(name))
                return Problems.Field("zone", $"{name} is a public suffix (names below it belong to different owners); add your own name below it, such as example.{name}");
            if (caller.TeamId is null || caller.UserId is null) return Problems.Forbidden("the credential is not bound to a team");
            var (outcome, zone, other) = await store.AddZoneAsync(name, caller.TeamId, caller.UserId, ct);
            if (outcome == ZoneStore.AddZoneOutcome.Taken) return Problems.Conflict($"the zone {name} already exists");
            if (outcome == ZoneStore.AddZoneOutcome.Overlaps) return Problems.Conflict($"{name} overlaps a zone of another account");
            if (outcome == ZoneStore.AddZoneOutcome.HidesRecords)
                return Problems.Conflict("zone", $"a parent zone has records at or below {name} ({other}): delete them first, or the parent and the child zone would disagree about them");
            if (zone is null) return Problems.Conflict($"the zone {name} already exists");
            views.Poke();
            await audit.RecordAsync("dns.zone.add", name, null, ct);
            if (http.IsSeedProfile()) return SeedAnswer.Ok("Added " + name, ZoneView.From(zone));
            return TypedResults.Created(http.PluginLink($"/api/zone/{name}/records"), ZoneView.From(zone));
        }).WithSummary("Add a zone for the caller's team").Produces<ZoneView>(StatusCodes.Status201Created).RequirePermission("dns.zones.write");

        api.MapGet("/zones/list", async Task<IResult> (HttpContext http, ICaller caller, ZoneStore store, IIdentityService identity, CancellationToken ct) =>
        {
            var zones = await store.ListZonesAsync(caller, ct);
            if (!http.IsSeedProfile()) return TypedResults.Ok(new ZoneList(zones.Select(ZoneView.From).ToList()));
            var seedZones = new List<object>();
            foreach (var zone in zones.OrderBy(z => z.Name, StringComparer.Ordinal)) seedZones.Add(await SeedForms.ZoneAsync(zone, store, identity, ct));
            return SeedAnswer.Ok(seedZones);
        }).WithSummary("The team's zones and the zones shared with the caller").Produces<ZoneList>().RequirePermission("dns.zones.read");

        api.MapPost("/zone/{zone}/delete", async Task<IResult> (string zone, ICaller caller, ZoneStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (!ZoneStore.Manages(row, caller)) return SharedOnly(row);
            await store.DeleteZoneAsync(row, ct);
            views.Poke();
            await audit.RecordAsync("dns.zone.delete", row.Name, null, ct);
            return TypedResults.Ok(new Done($"zone {row.Name} deleted"));
        }).WithSummary("Delete a zone and its records").TakesNoBody().Produces<Done>().RequirePermission("dns.zones.write");

        api.MapGet("/zone/{zone}/export", async Task<IResult> (string zone, ICaller caller, ZoneStore store, ZoneBuilder zones, DnsServerOptions options, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            var text = ZoneFile.Export(row.Name, zones.Soa(row), options.NameServers, options.NsTtl, await store.ListRecordsAsync(row.Id, ct));
            return Results.Text(text, "text/dns; charset=utf-8");
        }).WithSummary("The zone as an RFC 1035 master file").Produces<string>(StatusCodes.Status200OK, "text/dns").RequirePermission("dns.zones.read");

        // Zone users: the owner and every user the zone is shared with.
        api.MapGet("/zone/{zone}/users", async Task<IResult> (string zone, HttpContext http, ICaller caller, ZoneStore store, IIdentityService identity, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (http.IsSeedProfile()) return SeedAnswer.Ok(await SeedForms.UsernamesAsync(row, store, identity, ct));
            var owner = await identity.FindUserAsync(row.OwnerUserId, ct);
            var users = new List<ZoneUserView> { new(row.OwnerUserId, owner?.Username, "owner") };
            foreach (var shared in await store.ListZoneUsersAsync(row.Id, ct))
                users.Add(new(shared.UserId, (await identity.FindUserAsync(shared.UserId, ct))?.Username, "user", shared.AddedAt));
            return TypedResults.Ok(new ZoneUsers(row.Name, users));
        }).WithSummary("The zone's owner and the users it is shared with").Produces<ZoneUsers>().RequirePermission("dns.zones.read");

        // Extension: share a zone with another account (body: username).
        api.MapPost("/zone/{zone}/users", async Task<IResult> (string zone, Body<ZoneUser> request, ICaller caller, ZoneStore store, IIdentityService identity, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (!ZoneStore.Manages(row, caller)) return SharedOnly(row);
            if (request.Value.Username is not { } username || string.IsNullOrWhiteSpace(username)) return Problems.Field("username", "is required");
            var user = await identity.FindUserAsync(username.Trim(), ct);
            if (user is null) return Problems.Field("username", "no such user");
            if (user.Id == row.OwnerUserId || !await store.AddZoneUserAsync(row.Id, user.Id, ct)) return Problems.Conflict($"{user.Username} already has the zone");
            await audit.RecordAsync("dns.zone.share", row.Name, new { user = user.Username }, ct);
            return TypedResults.Ok(new Done($"zone {row.Name} shared with {user.Username}"));
        }).WithSummary("Share the zone with another account").Produces<Done>().RequirePermission("dns.zones.write");

        // Extension: stop sharing (body: username).
        api.MapPost("/zone/{zone}/users/remove", async Task<IResult> (string zone, Body<ZoneUser> request, ICaller caller, ZoneStore store, IIdentityService identity, IAuditLog audit, CancellationToken ct) =>
        {
            var row = await store.FindZoneAsync(DnsNames.Normalize(zone), caller, ct);
            if (row is null) return Problems.NotFound("Zone");
            if (!ZoneStore.Manages(row, caller)) return SharedOnly(row);
            if (request.Value.Username is not { } username || string.IsNullOrWhiteSpace(username)) return Problems.Field("username", "is required");
            var user = await identity.FindUserAsync(username.Trim(), ct);
            if (user is null || !await store.RemoveZoneUserAsync(row.Id, user.Id, ct)) return Problems.NotFound("Zone user");
            await audit.RecordAsync("dns.zone.unshare", row.Name, new { user = user.Username }, ct);
            return TypedResults.Ok(new Done($"zone {row.Name} no longer shared with {user.Username}"));
        }).WithSummary("Stop sharing the zone with an account").Produces<Done>().RequirePermission("dns.zones.write");
    }
}
