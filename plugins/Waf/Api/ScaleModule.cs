using System.Text.Json.Serialization;
using Edgeplane.Abstractions.Events;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>Scale requests: recorded, audited and published as <see cref="ScaleRequested"/> for whatever provisions nodes.</summary>
public sealed class ScaleModule : ICarterModule
{
    public sealed record ScaleRequest(string? Action, int? Count);

    public sealed record ScaleView(
        string Id, string Action, long Count,
        [property: JsonPropertyName("current_nodes")] int CurrentNodes,
        [property: JsonPropertyName("desired_nodes")] int DesiredNodes,
        string Status,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/scale", ScaleAsync).WithSummary("Request scaling up or down by a number of nodes").RequirePermission("waf.nodes.write");

    private static async Task<Results<JsonAccepted<ScaleView>, ValidationProblem>> ScaleAsync(Body<ScaleRequest> request, WafStore store, IEventPublisher publisher,
        ICaller caller, IAuditLog audit, WafOptions options, TimeProvider clock)
    {
        var body = request.Value;
        var errors = new FieldErrors();
        errors.Check(body.Action is "scale_up" or "scale_down", "action", "must be scale_up or scale_down");
        errors.Check(body.Count is >= 1 and <= 1000, "count", "must be between 1 and 1000");
        if (errors.Any) return errors.ToProblem();
        var current = await NodeCount.HealthyAsync(store, options, clock);
        var desired = Math.Max(0, body.Action == "scale_up" ? current + body.Count!.Value : current - body.Count!.Value);
        var row = new ScaleRow(Ids.New(), body.Action!, body.Count!.Value, desired, caller.UserId, clock.GetUtcNow());
        await store.InsertScaleRequestAsync(row);
        await audit.RecordAsync("waf.scale.requested", row.Id, new { row.Action, count = row.NodeCount, desired_nodes = desired });
        await publisher.PublishAsync(new ScaleRequested(row.Id, row.Action, row.NodeCount, current, desired), caller.TeamId);
        return Json.Accepted(new ScaleView(row.Id, row.Action, row.NodeCount, current, desired, "requested", row.CreatedAt));
    }
}
