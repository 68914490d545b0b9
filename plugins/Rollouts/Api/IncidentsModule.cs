using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Data.Evidence;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>Incident reporting: <c>POST/GET /incidents</c>, <c>GET/PATCH /incidents/{id}</c>, device and artifact links.</summary>
public sealed class IncidentsModule : ICarterModule
{
    public sealed record NewIncident(string? Title, string? Description, string? Severity, string? Status, DateTimeOffset? OccurredAt,
        List<string>? Devices, List<string>? Artifacts);

    public sealed record IncidentPatch(string? Title, string? Description, string? Severity, string? Status, DateTimeOffset? OccurredAt, string? Note);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var incidents = app.MapGroup("/api/v1/incidents");
        incidents.MapPost("/", CreateAsync).WithSummary("Open an incident").Produces<IncidentView>(StatusCodes.Status201Created).RequirePermission("rollouts.incidents.write");
        incidents.MapGet("/", ListAsync).WithSummary("The team's incidents").Produces<Page<IncidentView>>().RequirePermission("rollouts.incidents.read");
        incidents.MapGet("/{id}", GetAsync).WithSummary("One incident").Produces<IncidentView>().RequirePermission("rollouts.incidents.read");
        incidents.MapPatch("/{id}", PatchAsync).WithSummary("Change an incident").Produces<IncidentView>().RequirePermission("rollouts.incidents.write");
        incidents.MapPut("/{id}/devices/{name}", LinkDeviceAsync).TakesNoBody().WithSummary("Link a device to an incident").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.incidents.write");
        incidents.MapDelete("/{id}/devices/{name}", UnlinkDeviceAsync).WithSummary("Unlink a device from an incident").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.incidents.write");
        incidents.MapPut("/{id}/artifacts/{artifactId}", LinkArtifactAsync).TakesNoBody().WithSummary("Link an artifact to an incident").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.incidents.write");
        incidents.MapDelete("/{id}/artifacts/{artifactId}", UnlinkArtifactAsync).WithSummary("Unlink an artifact from an incident").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.incidents.write");
    }

    private static FieldErrors Check(string? title, string? description, string? severity, string? status, bool create, TimeProvider clock, DateTimeOffset? occurredAt) =>
        new FieldErrors()
            .Check(title is null ? !create : title.Trim().Length is > 0 and <= 200, "title", "must be 1-200 characters")
            .Check((description?.Length ?? 0) <= 20_000, "description", "must be at most 20,000 characters")
            .Check(severity is null ? !create : IncidentStore.Severities.Contains(severity), "severity", "must be low, medium, high or critical")
            .Check(status is null || IncidentStore.Statuses.Contains(status), "status", "must be open, investigating, mitigated or resolved")
            .Check(occurredAt is null || occurredAt <= clock.GetUtcNow().AddMinutes(5), "occurredAt", "must not be in the future");

    private static IncidentEvent Event(string kind, ICaller caller, DateTimeOffset at, object details) =>
        new(Ids.New(), at, caller.Username, kind, JsonNode.Parse(Json.Write(details)));

    private static async Task<IResult> CreateAsync(NewIncident body, HttpContext http, ICaller caller, IncidentStore store, DeviceStore devices, IAuditLog audit, TimeProvider clock)
    {
        var errors = Check(body.Title, body.Description, body.Severity, body.Status, create: true, clock, body.OccurredAt);
        var now = clock.GetUtcNow();
        var links = new List<IncidentLink>();
        var unknown = new List<string>();
        foreach (var name in (body.Devices ?? []).Distinct())
        {
            if (await devices.FindAsync(caller.TeamId!, name) is { } device) links.Add(new IncidentLink("device", device.Id, device.Name, now));
            else unknown.Add(name);
        }
        if (unknown.Count > 0) errors.Add("devices", "unknown devices: " + string.Join(", ", unknown));
        unknown.Clear();
        foreach (var id in (body.Artifacts ?? []).Distinct())
        {
            if (await store.ArtifactLabelAsync(caller.TeamId!, id) is { } label) links.Add(new IncidentLink("artifact", id, label, now));
            else unknown.Add(id);
        }
        if (unknown.Count > 0) errors.Add("artifacts", "unknown artifacts: " + string.Join(", ", unknown));
        if (errors.Any) return errors.ToProblem();

        var status = body.Status ?? "open";
        var row = new IncidentRow
        {
            Id = Ids.New(), TeamId = caller.TeamId!, Title = body.Title!.Trim(), Description = body.Description ?? "", Severity = body.Severity!,
            Status = status, OccurredAt = body.OccurredAt?.ToUniversalTime() ?? now, ResolvedAt = status == "resolved" ? now : null,
            CreatedBy = caller.Username, CreatedAt = now, UpdatedAt = now,
        };
        await store.CreateAsync(row, links, Event("created", caller, now, new { row.Title, row.Severity, row.Status }));
        await audit.RecordAsync("rollouts.incident.create", row.Id, new { row.Title, row.Severity, row.Status, devices = links.Count(l => l.Kind == "device") });
        return TypedResults.Created(http.PluginLink($"/api/v1/incidents/{row.Id}"), await store.ViewAsync(row));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, string? status, string? severity, string? device, string? artifact,
        ICaller caller, IncidentStore store, DeviceStore devices)
    {
        var errors = new FieldErrors()
            .Check(status is null || IncidentStore.Statuses.Contains(status), "status", "must be open, investigating, mitigated or resolved")
            .Check(severity is null || IncidentStore.Severities.Contains(severity), "severity", "must be low, medium, high or critical");
        if (errors.Any) return errors.ToProblem();
        string? deviceId = null;
        if (device is not null)
        {
            // The filter names a current device of the team; an unknown one matches nothing.
            deviceId = (await devices.FindAsync(caller.TeamId!, device))?.Id;
            if (deviceId is null) return TypedResults.Ok(new Page<IncidentView>([], 0, page.Take, page.Skip));
        }
        return TypedResults.Ok(await store.ListAsync(caller.TeamId!, new IncidentFilter(status, severity, deviceId, artifact), page));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, IncidentStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } row ? TypedResults.Ok(await store.ViewAsync(row)) : TypedResults.NotFound();

    private static async Task<IResult> PatchAsync(string id, IncidentPatch body, ICaller caller, IncidentStore store, IAuditLog audit, TimeProvider clock)
    {
        // another team's incident is a 404 whatever the body says
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        var errors = Check(body.Title, body.Description, body.Severity, body.Status, create: false, clock, body.OccurredAt)
            .Check((body.Note?.Length ?? 0) <= 20_000, "note", "must be at most 20,000 characters");
        if (body is { Title: null, Description: null, Severity: null, Status: null, OccurredAt: null, Note: null }) errors.Add("body", "nothing to change");
        if (errors.Any) return errors.ToProblem();

        var now = clock.GetUtcNow();
        var changes = new Dictionary<string, object?>();
        void Set(string field, string? value, string current, Action<string> apply)
        {
            if (value is null || value == current) return;
            changes[field] = new { from = current, to = value };
            apply(value);
        }
        Set("title", body.Title?.Trim(), row.Title, v => row.Title = v);
        Set("description", body.Description, row.Description, v => row.Description = v);
        Set("severity", body.Severity, row.Severity, v => row.Severity = v);
        if (body.OccurredAt is { } occurred && occurred != row.OccurredAt)
        {
            changes["occurredAt"] = new { from = row.OccurredAt, to = occurred.ToUniversalTime() };
            row.OccurredAt = occurred.ToUniversalTime();
        }
        if (body.Status is not null && body.Status != row.Status)
        {
            changes["status"] = new { from = row.Status, to = body.Status };
            row.Status = body.Status;
            row.ResolvedAt = body.Status == "resolved" ? now : null;
        }
        if (changes.Count == 0 && body.Note is null) return TypedResults.Ok(await store.ViewAsync(row));
        row.UpdatedAt = now;
        var kind = changes.Count == 0 ? "note" : changes.ContainsKey("status") ? "status_changed" : "updated";
        await store.UpdateAsync(row, Event(kind, caller, now, new { changes, note = body.Note }));
        await audit.RecordAsync("rollouts.incident.update", row.Id, new { fields = changes.Keys, note = body.Note is not null });
        return TypedResults.Ok(await store.ViewAsync(row));
    }

    private static async Task<IResult> LinkDeviceAsync(string id, string name, ICaller caller, IncidentStore store, DeviceStore devices, IAuditLog audit, TimeProvider clock)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row || await devices.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        if (await store.LinkAsync(row, new IncidentLink("device", device.Id, device.Name, now), Event("device_linked", caller, now, new { device = device.Name })))
            await audit.RecordAsync("rollouts.incident.link", row.Id, new { device = device.Name });
        return TypedResults.NoContent();
    }

    private static async Task<IResult> UnlinkDeviceAsync(string id, string name, ICaller caller, IncidentStore store, IAuditLog audit, TimeProvider clock)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        // By the name it was linked under, so a deleted device can still be unlinked.
        var link = (await store.ViewAsync(row, timeline: false)).Devices.FirstOrDefault(d => d.Label == name);
        if (link is null) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        if (!await store.UnlinkAsync(row, "device", link.Id, Event("device_unlinked", caller, now, new { device = name }))) return TypedResults.NotFound();
        await audit.RecordAsync("rollouts.incident.unlink", row.Id, new { device = name });
        return TypedResults.NoContent();
    }

    private static async Task<IResult> LinkArtifactAsync(string id, string artifactId, ICaller caller, IncidentStore store, IAuditLog audit, TimeProvider clock)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row || await store.ArtifactLabelAsync(caller.TeamId!, artifactId) is not { } label)
            return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        if (await store.LinkAsync(row, new IncidentLink("artifact", artifactId, label, now), Event("artifact_linked", caller, now, new { artifact = artifactId, label })))
            await audit.RecordAsync("rollouts.incident.link", row.Id, new { artifact = artifactId });
        return TypedResults.NoContent();
    }

    private static async Task<IResult> UnlinkArtifactAsync(string id, string artifactId, ICaller caller, IncidentStore store, IAuditLog audit, TimeProvider clock)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        if (!await store.UnlinkAsync(row, "artifact", artifactId, Event("artifact_unlinked", caller, now, new { artifact = artifactId }))) return TypedResults.NotFound();
        await audit.RecordAsync("rollouts.incident.unlink", row.Id, new { artifact = artifactId });
        return TypedResults.NoContent();
    }
}
