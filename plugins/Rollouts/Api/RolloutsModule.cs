using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Domain.Deployments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>Staged rollouts: <c>POST/GET /rollouts</c>, <c>GET /rollouts/{id}</c>, <c>POST /rollouts/{id}/approve|resume|abort</c>.</summary>
public sealed class RolloutsModule : ICarterModule
{
    public sealed record NewRollout(string? Name, string? ArtifactId, string? GroupId, List<Phase>? Phases, double? FailureThreshold, bool? RequiresApproval);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var rollouts = app.MapGroup("/api/v1/rollouts");
        rollouts.MapPost("/", CreateAsync).WithSummary("Start a rollout of an artifact to a group").Produces<RolloutView>(StatusCodes.Status201Created).RequirePermission("rollouts.rollouts.write");
        rollouts.MapGet("/", ListAsync).WithSummary("The team's rollouts").Produces<Page<RolloutView>>().RequirePermission("rollouts.rollouts.read");
        rollouts.MapGet("/{id}", GetAsync).WithSummary("One rollout and its progress").Produces<RolloutView>().RequirePermission("rollouts.rollouts.read");
        rollouts.MapPost("/{id}/approve", ApproveAsync).TakesNoBody().WithSummary("Approve a rollout waiting for approval").Produces<RolloutView>().RequirePermission("rollouts.rollouts.approve");
        rollouts.MapPost("/{id}/resume", ResumeAsync).TakesNoBody().WithSummary("Resume a paused rollout").Produces<RolloutView>().RequirePermission("rollouts.rollouts.write");
        rollouts.MapPost("/{id}/abort", AbortAsync).TakesNoBody().WithSummary("Abort a rollout").Produces<RolloutView>().RequirePermission("rollouts.rollouts.write");
    }

    private static async Task<IResult> CreateAsync(NewRollout body, HttpContext http, ICaller caller, ArtifactStore artifacts, GroupStore groups, DeviceStore devices, DeploymentStore store,
        RolloutEvents events, IAuditLog audit, TimeProvider clock)
    {
        var errors = new FieldErrors()
            .Check(body.Name is null || body.Name.Length is > 0 and <= 200, "name", "must be 1-200 characters")
            .Check(!string.IsNullOrEmpty(body.ArtifactId), "artifactId", "is required")
            .Check(!string.IsNullOrEmpty(body.GroupId), "groupId", "is required")
            .Check(body.FailureThreshold is null or >= 0 and <= 100, "failureThreshold", "must be a percentage, 0-100");
        var phases = body.Phases ?? [new Phase(100, 0)];
        if (phases.Count is < 1 or > 20) errors.Add("phases", "1 to 20 phases");
        for (var i = 0; i < phases.Count; i++)
        {
            if (phases[i] is null || phases[i].Percent is < 1 or > 100) errors.Add($"phases[{i}].percent", "must be 1-100 (the cumulative share of the devices)");
            else if (i > 0 && phases[i - 1] is { } previous && phases[i].Percent <= previous.Percent) errors.Add($"phases[{i}].percent", "must grow from phase to phase");
            if (phases[i] is { } p && p.SoakSeconds is < 0 or > 30 * 86400) errors.Add($"phases[{i}].soakSeconds", "must be 0 to 2,592,000 (30 days)");
        }
        if (phases.Count > 0 && phases[^1] is { Percent: not 100 }) errors.Add("phases", "the last phase must reach 100%");
        ArtifactRow? artifact = null;
        GroupRow? group = null;
        if (!string.IsNullOrEmpty(body.ArtifactId) && (artifact = await artifacts.FindAsync(caller.TeamId!, body.ArtifactId)) is null) errors.Add("artifactId", "no such artifact");
        if (!string.IsNullOrEmpty(body.GroupId) && (group = await groups.FindAsync(caller.TeamId!, body.GroupId)) is null) errors.Add("groupId", "no such group");
        var targets = new List<string>();
        if (artifact is not null && group is not null)
        {
            var types = Json.Read<List<string>>(artifact.DeviceTypes).ToHashSet();
            foreach (var member in await groups.MembersAsync(group))
                if (await devices.FindAsync(caller.TeamId!, member.Name) is { } device && types.Contains(device.DeviceType)) targets.Add(device.Id);
            if (targets.Count == 0) errors.Add("groupId", $"the group has no device of the artifact's device types ({string.Join(", ", types)})");
        }
        if (errors.Any) return errors.ToProblem();
        var now = clock.GetUtcNow();
        var approval = body.RequiresApproval ?? false;
        var rollout = new RolloutRow
        {
            Id = Ids.New(now), TeamId = caller.TeamId!, Name = body.Name ?? $"{artifact!.Name} {artifact.Version}", ArtifactId = artifact!.Id, GroupId = group!.Id,
            Phases = Json.Write(phases), FailureThreshold = body.FailureThreshold ?? 10, RequiresApproval = approval,
            State = approval ? "pending_approval" : "running", CreatedBy = caller.UserId, CreatedAt = now, UpdatedAt = now,
        };
        await store.CreateAsync(rollout, DeploymentStore.AssignPhases(rollout.Id, targets, phases));
        await audit.RecordAsync("rollouts.rollout.create", rollout.Id, new { rollout.Name, rollout.ArtifactId, rollout.GroupId, phases, rollout.FailureThreshold, approval, devices = targets.Count });
        await events.PublishAsync(rollout, new RolloutCreated(rollout.Id, rollout.Name, targets.Count, rollout.State));
        return TypedResults.Created(http.PluginLink($"/api/v1/rollouts/{rollout.Id}"), await ViewAsync(store, rollout, devices: true));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, string? state, ICaller caller, DeploymentStore store)
    {
        var errors = new FieldErrors()
            .Check(state is null or "pending_approval" or "running" or "paused" or "completed" or "aborted", "state", "must be pending_approval, running, paused, completed or aborted");
        if (errors.Any) return errors.ToProblem();
        var rows = await store.ListAsync(caller.TeamId!, state, page);
        var views = new List<RolloutView>();
        foreach (var row in rows.Items) views.Add(await ViewAsync(store, row, devices: false));
        return TypedResults.Ok(new Page<RolloutView>(views, rows.Total, rows.Limit, rows.Offset));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, DeploymentStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } row ? TypedResults.Ok(await ViewAsync(store, row, devices: true)) : TypedResults.NotFound();

    internal static async Task<RolloutView> ViewAsync(DeploymentStore store, RolloutRow r, bool devices)
    {
        var phases = Json.Read<List<Phase>>(r.Phases);
        var counts = await store.CountsAsync(r.Id);
        var history = Json.Read<List<PhaseStart>>(r.PhaseHistory);
        var views = new List<PhaseView>();
        for (var i = 0; i < phases.Count; i++)
        {
            var states = counts.Where(c => c.Phase == i).ToDictionary(c => c.State, c => c.Count);
            var started = history.LastOrDefault(h => h.Phase == i)?.StartedAt;
            var state = r.State == "aborted" && started is null ? "aborted"
                : started is null ? "waiting"
                : i < r.CurrentPhase || r.State == "completed" ? "done"
                : r.State is "paused" or "aborted" ? r.State : "active";
            views.Add(new PhaseView(i, phases[i].Percent, phases[i].SoakSeconds, states.Values.Sum(), states, state, started,
                started is { } s ? s + TimeSpan.FromSeconds(phases[i].SoakSeconds) : null));
        }
        var totals = DeploymentStore.DeviceStates.ToDictionary(s => s, s => counts.Where(c => c.State == s).Sum(c => c.Count));
        IReadOnlyList<RolloutDeviceView>? deviceViews = devices
            ? (await store.DevicesAsync(r.Id)).Select(d => new RolloutDeviceView(d.DeviceId, d.DeviceName, d.Phase, d.State, d.Message, d.StartedAt, d.UpdatedAt)).ToList()
            : null;
        return new RolloutView(r.Id, r.Name, r.ArtifactId, r.GroupId, r.State, r.CurrentPhase, r.FailureThreshold, r.RequiresApproval, r.PausedReason, r.CreatedBy,
            r.ApprovedBy, r.ApprovedAt, r.CreatedAt, r.UpdatedAt, r.FinishedAt, totals, views, deviceViews, devices ? await store.EventsAsync(r.Id) : null);
    }

    private static IResult Conflict(string detail) => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    private static async Task<IResult> ApproveAsync(string id, ICaller caller, DeploymentStore store, RolloutEvents events, IAuditLog audit, TimeProvider clock)
    {
        var (result, row) = await store.ChangeAsync<(IResult?, RolloutRow?)>(caller.TeamId!, id, async change =>
        {
            var rollout = change.Rollout;
            if (rollout is null) return (TypedResults.NotFound(), null);
            if (rollout.State != "pending_approval") return (Conflict($"the rollout is {rollout.State}, not waiting for approval"), null);
            if (rollout.CreatedBy is not null && rollout.CreatedBy == caller.UserId)
                return (TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "a rollout must be approved by someone other than its creator"), null);
            rollout.State = "running";
            rollout.ApprovedBy = caller.UserId;
            rollout.ApprovedAt = clock.GetUtcNow();
            await change.StartPhaseAsync(0);
            return (null, rollout);
        });
        if (result is not null) return result;
        await audit.RecordAsync("rollouts.rollout.approve", id);
        await events.PublishAsync(row!, new RolloutApproved(id, caller.UserId));
        return TypedResults.Ok(await ViewAsync(store, row!, devices: false));
    }

    private static async Task<IResult> ResumeAsync(string id, ICaller caller, DeploymentStore store, RolloutEvents events, IAuditLog audit, TimeProvider clock)
    {
        var (result, row) = await store.ChangeAsync<(IResult?, RolloutRow?)>(caller.TeamId!, id, async change =>
        {
            var rollout = change.Rollout;
            if (rollout is null) return (TypedResults.NotFound(), null);
            if (rollout.State != "paused") return (Conflict($"the rollout is {rollout.State}, not paused"), null);
            // failures so far are acknowledged: the threshold applies to failures from now on; the soak starts again
            rollout.FailureBaseline = await change.FailedAsync();
            rollout.State = "running";
            rollout.PausedReason = null;
            rollout.PhaseStartedAt = clock.GetUtcNow();
            rollout.UpdatedAt = clock.GetUtcNow();
            await change.SaveAsync();
            return (null, rollout);
        });
        if (result is not null) return result;
        await audit.RecordAsync("rollouts.rollout.resume", id);
        await events.PublishAsync(row!, new RolloutResumed(id, caller.UserId, row!.FailureBaseline));
        return TypedResults.Ok(await ViewAsync(store, row, devices: false));
    }

    private static async Task<IResult> AbortAsync(string id, ICaller caller, DeploymentStore store, RolloutEvents events, IAuditLog audit, TimeProvider clock)
    {
        var (result, row, stopped) = await store.ChangeAsync<(IResult?, RolloutRow?, int)>(caller.TeamId!, id, async change =>
        {
            var rollout = change.Rollout;
            if (rollout is null) return (TypedResults.NotFound(), null, 0);
            if (rollout.State is "completed" or "aborted") return (Conflict($"the rollout is already {rollout.State}"), null, 0);
            var now = clock.GetUtcNow();
            rollout.State = "aborted";
            rollout.FinishedAt = now;
            rollout.UpdatedAt = now;
            await change.SaveAsync();
            return (null, rollout, await change.AbortDevicesAsync(now));
        });
        if (result is not null) return result;
        await audit.RecordAsync("rollouts.rollout.abort", id, new { stopped });
        await events.PublishAsync(row!, new RolloutAborted(id, caller.UserId, stopped));
        return TypedResults.Ok(await ViewAsync(store, row!, devices: false));
    }
}
