using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

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
