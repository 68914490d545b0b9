using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary><c>GET /devices</c>, <c>GET/PATCH/DELETE /devices/{name}</c>, <c>GET /devices/{name}/history</c>.</summary>
public sealed class DevicesModule : ICarterModule
{
    public sealed record DevicePatch(Dictionary<string, string>? Labels);

    public sealed record HistoryEntry(string Id, string Kind, DateTimeOffset At, JsonNode? Details);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/api/v1/devices");
        devices.MapGet("/", ListAsync).WithSummary("The team's devices").Produces<Page<DeviceView>>().RequirePermission("rollouts.devices.read");
        devices.MapGet("/{name}", GetAsync).WithSummary("One device").Produces<DeviceView>().RequirePermission("rollouts.devices.read");
        devices.MapPatch("/{name}", PatchAsync).WithSummary("Change a device's labels").Produces<DeviceView>().RequirePermission("rollouts.devices.write");
        devices.MapDelete("/{name}", DeleteAsync).WithSummary("Remove a device (its certificate is no longer accepted)").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.devices.write");
        devices.MapGet("/{name}/history", HistoryAsync).WithSummary("A device's history, newest first").Produces<Page<HistoryEntry>>().RequirePermission("rollouts.devices.read");
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, string? name, string? status, string? deviceType, string? group,
        [FromQuery(Name = "label")] string[]? label, ICaller caller, DeviceStore store, GroupStore groups)
    {
        var errors = new FieldErrors()
            .Check(status is null or "online" or "offline" or "pending", "status", "must be online, offline or pending");
        var labels = new Dictionary<string, string>();
        foreach (var l in label ?? [])
        {
            var eq = l.IndexOf('=');
            if (eq <= 0) errors.Add("label", $"'{l}' must be key=value");
            else labels[l[..eq]] = l[(eq + 1)..];
        }
        if (group is not null && await groups.FindAsync(caller.TeamId!, group) is null) errors.Add("group", "no such group");
        if (errors.Any) return errors.ToProblem();
        var result = await store.ListAsync(caller.TeamId!, new DeviceFilter(name, status, deviceType, labels, group), page, groups);
        var since = store.OnlineSince;
        return TypedResults.Ok(new Page<DeviceView>(result.Items.Select(d => DeviceView.From(d, since)).ToList(), result.Total, result.Limit, result.Offset));
    }

    private static async Task<IResult> GetAsync(string name, ICaller caller, DeviceStore store) =>
        await store.FindAsync(caller.TeamId!, name) is { } device ? TypedResults.Ok(DeviceView.From(device, store.OnlineSince)) : TypedResults.NotFound();

    private static async Task<IResult> PatchAsync(string name, DevicePatch body, ICaller caller, DeviceStore store, IAuditLog audit)
    {
        var errors = new FieldErrors().Check(body.Labels is not null, "labels", "is required");
        if (Names.CheckLabels(body.Labels) is { } labelError) errors.Add("labels", labelError);
        if (errors.Any) return errors.ToProblem();
        if (await store.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        await store.SetLabelsAsync(device, body.Labels!);
        await audit.RecordAsync("rollouts.device.labels", device.Id, new { name, body.Labels });
        return TypedResults.Ok(DeviceView.From(device, store.OnlineSince));
    }

    private static async Task<IResult> DeleteAsync(string name, ICaller caller, DeviceStore store, IAuditLog audit)
    {
        if (await store.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        var revoked = await store.DeleteAsync(device);
        await audit.RecordAsync("rollouts.device.delete", device.Id, new { name, revokedCertificates = revoked });
        return TypedResults.NoContent();
    }

    private static async Task<IResult> HistoryAsync(string name, [AsParameters] PageRequest page, string? kind, ICaller caller, DeviceStore store, DeviceHistory history)
    {
        if (await store.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        var result = await history.ListAsync(device.Id, kind, page);
        return TypedResults.Ok(new Page<HistoryEntry>(result.Items.Select(e => new HistoryEntry(e.Id, e.Kind, e.At, Json.Node(e.Details))).ToList(),
            result.Total, result.Limit, result.Offset));
    }
}
