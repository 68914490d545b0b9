using System.Net;
using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Dns.Data;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>The seed's admin routes (host administrators): DNS nodes, stats, users.</summary>
public sealed class AdminModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(SeedAnswer.Filter).AddEndpointFilter(UserAcl.Filter).ValidateRequestsHere().RequireHostAdmin();

        // Body: name, address (IP), port (default 53), location, latitude, longitude.
        api.MapPost("/nodes/add", async Task<IResult> (Body<NewDnsNode> request, HttpContext http, NodeStore store, ZoneViewProvider views, IAuditLog audit, TimeProvider clock, CancellationToken ct) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            var name = Required(body.Name, "name", errors);
            var address = Required(body.Address, "address", errors);
            var location = Required(body.Location, "location", errors);
            var port = body.Port ?? 53;
            var (latitude, longitude) = (body.Latitude, body.Longitude);
            if (name.Length > 100) errors.Add("name", "must be at most 100 characters");
            if (location.Length > 100) errors.Add("location", "must be at most 100 characters");
            if (address.Length > 0 && !IpText.TryParseAddress(address, out _)) errors.Add("address", IpText.AddressRule);
            if (port is < 1 or > 65535) errors.Add("port", "must be between 1 and 65535");
            if (latitude is < -90 or > 90) errors.Add("latitude", "must be between -90 and 90");
            if (longitude is < -180 or > 180) errors.Add("longitude", "must be between -180 and 180");
            if (errors.Any) return errors.ToProblem();
            var node = new NodeRow
            {
                Id = Ids.New(), Name = name, Address = IpText.TryParseAddress(address, out var parsed) ? parsed.ToString() : address, Port = port,
                Location = location, Latitude = latitude, Longitude = longitude, Enabled = true, CreatedAt = clock.GetUtcNow(),
            };
            if (await store.AddNodeAsync(node, ct) is null) return Problems.Conflict($"a node named {name} exists");
            views.Poke();
            await audit.RecordAsync("dns.node.add", name, new { node.Address, node.Port }, ct);
            if (http.IsSeedProfile()) return SeedAnswer.Ok("Added " + name, NodeView.From(node));
            return TypedResults.Created(http.PluginLink("/api/nodes/list"), NodeView.From(node));
        }).WithSummary("Register a DNS node (host admin)").Produces<NodeView>(StatusCodes.Status201Created).RequirePermission("dns.admin");

        api.MapGet("/nodes/list", async Task<IResult> (HttpContext http, NodeStore store, CancellationToken ct) =>
        {
            var nodes = (await store.ListNodesAsync(ct)).Select(NodeView.From).ToList();
            return http.IsSeedProfile() ? SeedAnswer.Ok(nodes) : TypedResults.Ok(new NodeList(nodes));
        }).WithSummary("All DNS nodes (host admin)").Produces<NodeList>().RequirePermission("dns.admin");

        // Body: node (id or name; the original's "name" on a seed mount), state (true or "on" = enabled). A disabled
        // node gets no NOTIFY and is left out of monitoring.
        api.MapPost("/nodes/power", async Task<IResult> (Body<NodePower> request, HttpContext http, NodeStore store, ZoneViewProvider views, IAuditLog audit, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var seedName = http.IsSeedProfile() && request.Value.Node is null;
            var which = Required(seedName ? request.Value.Name : request.Value.Node, seedName ? "name" : "node", errors);
            var state = request.Value.State;
            if (state is null && !errors.Any) errors.Add("state", "is required (true to enable, false to disable)");
            if (errors.Any) return errors.ToProblem();
            var node = (await store.ListNodesAsync(ct)).FirstOrDefault(n => n.Id == which || n.Name == which);
            if (node is null) return Problems.NotFound("Node");
            await store.SetNodeEnabledAsync(node.Id, state!.Value, ct);
            views.Poke();
            await audit.RecordAsync("dns.node.power", node.Name, new { enabled = state }, ct);
            if (http.IsSeedProfile()) return SeedAnswer.Ok($"Set {node.Name} to {(state.Value ? "on" : "off")}", NodeView.From(node with { Enabled = state.Value }));
            return TypedResults.Ok(NodeView.From(node with { Enabled = state.Value }));
        }).WithSummary("Enable or disable a node (host admin)").Produces<NodeView>().RequirePermission("dns.admin");

        api.MapGet("/stats", async Task<IResult> (ZoneStore zoneStore, NodeStore nodeStore, IIdentityService identity, CancellationToken ct) =>
        {
            var (zones, records) = await zoneStore.CountsAsync(ct);
            var nodes = await nodeStore.CountAsync(ct);
            return TypedResults.Ok(new Stats(nodes, zones, records, (await identity.ListUsersAsync(ct)).Count));
        }).WithSummary("Node, zone, record and user counts (host admin)").Produces<Stats>().RequirePermission("dns.admin");

        api.MapGet("/users", async Task<IResult> (HttpContext http, IIdentityService identity, CancellationToken ct) =>
        {
            var users = (await identity.ListUsersAsync(ct)).Select(u => new UserView(u.Id, u.Username, u.Enabled, u.IsHostAdmin, u.CreatedAt)).ToList();
            return http.IsSeedProfile() ? SeedAnswer.Ok(users) : TypedResults.Ok(new UserList(users));
        }).WithSummary("All users (host admin)").Produces<UserList>().RequirePermission("dns.admin");

        api.MapPost("/user/{user}/toggle", async Task<IResult> (string user, ICaller caller, IIdentityService identity, IAuditLog audit, CancellationToken ct) =>
        {
            var target = await identity.FindUserAsync(user, ct);
            if (target is null) return Problems.NotFound("User");
            if (target.Id == caller.UserId) return Problems.Conflict("you cannot disable yourself");
            await identity.SetUserEnabledAsync(target.Id, !target.Enabled, ct);
            await audit.RecordAsync("dns.user.toggle", target.Username, new { enabled = !target.Enabled }, ct);
            return TypedResults.Ok(new UserToggled($"User enabled state is now {!target.Enabled}", target.Id, target.Username, !target.Enabled));
        }).WithSummary("Enable or disable a user (host admin)").TakesNoBody().Produces<UserToggled>().RequirePermission("dns.admin");

        // Extension: the escape hatch for a user whose IP ACL locks their keys out; clears every entry.
        api.MapDelete("/user/{user}/acl", async Task<IResult> (string user, IIdentityService identity, AclStore store, IAuditLog audit, CancellationToken ct) =>
        {
            var target = await identity.FindUserAsync(user, ct);
            if (target is null) return Problems.NotFound("User");
            var cleared = await store.ClearAclAsync(target.Id, ct);
            await audit.RecordAsync("dns.acl.clear", target.Username, new { cleared }, ct);
            return TypedResults.Ok(new UserAclCleared(target.Id, target.Username, []));
        }).WithSummary("Clear a user's IP ACL (host admin)").Produces<UserAclCleared>().RequirePermission("dns.admin");
    }

    private static string Required(string? value, string field, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(field, "is required");
        return value?.Trim() ?? "";
    }
}
