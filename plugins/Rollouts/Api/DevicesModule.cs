using System.Text.Json.Nodes;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Rollouts.Fleet;
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

    private static async Task<IResult> HistoryAsync(string name, [AsParameters] PageRequest page, string? kind, ICaller caller, DeviceStore store)
    {
        if (await store.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        var result = await store.HistoryAsync(device.Id, kind, page);
        return TypedResults.Ok(new Page<HistoryEntry>(result.Items.Select(e => new HistoryEntry(e.Id, e.Kind, e.At, Json.Node(e.Details))).ToList(),
            result.Total, result.Limit, result.Offset));
    }
}

/// <summary>Device logs: <c>POST/GET /devices/{name}/logs</c>, <c>GET /devices/{name}/logs/{id}</c> and its <c>/download</c>.</summary>
public sealed class DeviceLogsModule : ICarterModule
{
    public sealed record NewLogRequest(List<string>? Sources, long? MaxBytes);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var logs = app.MapGroup("/api/v1/devices/{name}/logs");
        logs.MapPost("/", RequestAsync).WithSummary("Ask a device for its logs").Produces<LogRequestView>(StatusCodes.Status202Accepted).RequirePermission("rollouts.logs.request");
        logs.MapGet("/", ListAsync).WithSummary("A device's log requests").Produces<Page<LogRequestView>>().RequirePermission("rollouts.logs.read");
        logs.MapGet("/{id}", GetAsync).WithSummary("One log request").Produces<LogRequestView>().RequirePermission("rollouts.logs.read");
        logs.MapGet("/{id}/download", DownloadAsync).WithSummary("Download the logs a device uploaded").Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream").RequirePermission("rollouts.logs.read");
    }

    private static async Task<IResult> RequestAsync(string name, NewLogRequest? body, HttpContext http, ICaller caller, DeviceStore devices, LogStore logs, RolloutsOptions options, IAuditLog audit)
    {
        var sources = body?.Sources is { Count: > 0 } s ? s : ["agent"];
        var maxBytes = body?.MaxBytes ?? options.MaxLogBytes;
        var errors = new FieldErrors()
            .Check(sources.Count <= 16 && sources.All(x => x is { Length: > 0 and <= 64 } && x.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')),
                "sources", "at most 16 names of letters, digits, '-', '_' or '.'")
            .Check(maxBytes >= 1 && maxBytes <= options.MaxLogBytes, "maxBytes", $"must be between 1 and {options.MaxLogBytes}");
        if (errors.Any) return errors.ToProblem();
        if (await devices.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        var row = await logs.RequestAsync(device, sources, maxBytes, caller.UserId);
        await audit.RecordAsync("rollouts.device.logs.request", device.Id, new { name, request = row.Id });
        return TypedResults.Accepted(http.PluginLink($"/api/v1/devices/{name}/logs/{row.Id}"), LogRequestView.From(row));
    }

    private static async Task<IResult> ListAsync(string name, [AsParameters] PageRequest page, ICaller caller, DeviceStore devices, LogStore logs)
    {
        if (await devices.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        var result = await logs.ListAsync(device.Id, page);
        return TypedResults.Ok(new Page<LogRequestView>(result.Items.Select(LogRequestView.From).ToList(), result.Total, result.Limit, result.Offset));
    }

    private static async Task<IResult> GetAsync(string name, string id, ICaller caller, DeviceStore devices, LogStore logs) =>
        await devices.FindAsync(caller.TeamId!, name) is { } device && await logs.FindAsync(device.Id, id) is { } row
            ? TypedResults.Ok(LogRequestView.From(row)) : TypedResults.NotFound();

    private static async Task<IResult> DownloadAsync(string name, string id, ICaller caller, DeviceStore devices, LogStore logs)
    {
        if (await devices.FindAsync(caller.TeamId!, name) is not { } device || await logs.FindAsync(device.Id, id) is not { } row) return TypedResults.NotFound();
        if (row.State != "uploaded")
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"the device has not uploaded this bundle yet (state: {row.State}); it does at its next check-in");
        var data = await logs.DataAsync(row.Id) ?? [];
        return TypedResults.File(data, row.ContentType ?? "application/octet-stream", row.FileName);
    }
}
