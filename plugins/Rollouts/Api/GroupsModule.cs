using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>Groups: <c>POST/GET /groups</c>, <c>GET/PATCH/DELETE /groups/{id}</c>, membership under <c>/groups/{id}/devices</c>.</summary>
public sealed class GroupsModule : ICarterModule
{
    public sealed record NewGroup(string? Name, string? Description, List<string>? Devices, Selector? Selector);
    public sealed record GroupPatch(string? Name, string? Description, Selector? Selector);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/v1/groups");
        groups.MapPost("/", CreateAsync).WithSummary("Create a device group (a label selector)").Produces<GroupView>(StatusCodes.Status201Created).RequirePermission("rollouts.groups.write");
        groups.MapGet("/", ListAsync).WithSummary("The team's device groups").Produces<Page<GroupView>>().RequirePermission("rollouts.groups.read");
        groups.MapGet("/{id}", GetAsync).WithSummary("One device group").Produces<GroupView>().RequirePermission("rollouts.groups.read");
        groups.MapPatch("/{id}", PatchAsync).WithSummary("Change a device group").Produces<GroupView>().RequirePermission("rollouts.groups.write");
        groups.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a device group").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.groups.write");
        groups.MapGet("/{id}/devices", MembersAsync).WithSummary("A group's devices").Produces<Page<GroupMember>>().RequirePermission("rollouts.groups.read");
        groups.MapPut("/{id}/devices/{name}", AddMemberAsync).TakesNoBody().WithSummary("Add a device to a group").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.groups.write");
        groups.MapDelete("/{id}/devices/{name}", RemoveMemberAsync).WithSummary("Take a device out of a group").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.groups.write");
    }

    private static FieldErrors Check(string? name, string? description, Selector? selector, bool nameRequired)
    {
        var errors = new FieldErrors()
            .Check(name is null ? !nameRequired : Names.IsValidName(name), "name", "must be 1-63 letters, digits, '.', '-' or '_'")
            .Check((description?.Length ?? 0) <= 1000, "description", "must be at most 1,000 characters");
        if (Names.CheckLabels(selector?.MatchLabels) is { } labelError) errors.Add("selector.matchLabels", labelError);
        return errors;
    }

    private static async Task<IResult> CreateAsync(NewGroup body, HttpContext http, ICaller caller, GroupStore store, DeviceStore devices, IAuditLog audit, TimeProvider clock)
    {
        var errors = Check(body.Name, body.Description, body.Selector, nameRequired: true);
        var ids = new List<string>();
        var unknown = new List<string>();
        foreach (var name in body.Devices ?? [])
        {
            if (await devices.FindAsync(caller.TeamId!, name) is { } device) ids.Add(device.Id);
            else unknown.Add(name);
        }
        if (unknown.Count > 0) errors.Add("devices", "unknown devices: " + string.Join(", ", unknown));
        if (errors.Any) return errors.ToProblem();
        var row = new GroupRow
        {
            Id = Ids.New(), TeamId = caller.TeamId!, Name = body.Name!, Description = body.Description ?? "",
            Selector = Json.Write(body.Selector ?? new Selector()), CreatedAt = clock.GetUtcNow(),
        };
        if (!await store.CreateAsync(row, ids))
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"a group named '{body.Name}' exists");
        await audit.RecordAsync("rollouts.group.create", row.Id, new { row.Name });
        return TypedResults.Created(http.PluginLink($"/api/v1/groups/{row.Id}"), await store.ViewAsync(row));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, ICaller caller, GroupStore store)
    {
        return TypedResults.Ok(await store.ListAsync(caller.TeamId!, page));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, GroupStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } row ? TypedResults.Ok(await store.ViewAsync(row)) : TypedResults.NotFound();

    private static async Task<IResult> PatchAsync(string id, GroupPatch body, ICaller caller, GroupStore store, IAuditLog audit)
    {
        var errors = Check(body.Name, body.Description, body.Selector, nameRequired: false);
        if (errors.Any) return errors.ToProblem();
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        if (body.Name is not null) row.Name = body.Name;
        if (body.Description is not null) row.Description = body.Description;
        if (body.Selector is not null) row.Selector = Json.Write(body.Selector);
        if (!await store.UpdateAsync(row))
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"a group named '{body.Name}' exists");
        await audit.RecordAsync("rollouts.group.update", row.Id, body);
        return TypedResults.Ok(await store.ViewAsync(row));
    }

    private static async Task<IResult> DeleteAsync(string id, ICaller caller, GroupStore store, IAuditLog audit)
    {
        if (!await store.DeleteAsync(caller.TeamId!, id)) return TypedResults.NotFound();
        await audit.RecordAsync("rollouts.group.delete", id);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MembersAsync(string id, [AsParameters] PageRequest page, ICaller caller, GroupStore store)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row) return TypedResults.NotFound();
        var members = await store.MembersAsync(row);
        return TypedResults.Ok(new Page<GroupMember>(members.Skip(page.Skip).Take(page.Take).ToList(), members.Count, page.Take, page.Skip));
    }

    private static async Task<IResult> AddMemberAsync(string id, string name, ICaller caller, GroupStore store, DeviceStore devices, TimeProvider clock)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row || await devices.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        await store.AddMemberAsync(row.Id, device.Id, clock.GetUtcNow());
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RemoveMemberAsync(string id, string name, ICaller caller, GroupStore store, DeviceStore devices)
    {
        if (await store.FindAsync(caller.TeamId!, id) is not { } row || await devices.FindAsync(caller.TeamId!, name) is not { } device) return TypedResults.NotFound();
        return await store.RemoveMemberAsync(row.Id, device.Id) ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
