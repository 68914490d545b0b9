using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Matching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class BlacklistModule : ICarterModule
{
    public sealed record NewEntry(string? Ip, string? Reason, [property: JsonPropertyName("duration_seconds")] long? DurationSeconds);

    public sealed record BlacklistEntry(
        string Id, string Ip, string Reason, string Status,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
        [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt,
        [property: JsonPropertyName("remaining_seconds")] long? RemainingSeconds);

    public sealed record BlacklistPage(List<BlacklistEntry> Entries, long Total, int Limit, int Offset);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/blacklist", async Task<Results<JsonCreated<BlacklistEntry>, ValidationProblem>> (Body<NewEntry> request, WafStore store, EngineSync sync, ICaller caller, IAuditLog audit, TimeProvider clock) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            if (!IpNetwork.TryParse(body.Ip, out var network, out var ipError)) errors.Add("ip", ipError!);
            errors.Check(body.Reason is null || body.Reason.Length <= 1000, "reason", "must be at most 1000 characters");
            errors.Check(body.DurationSeconds is null or (>= 1 and <= 10L * 365 * 24 * 3600), "duration_seconds", "must be between 1 and 315360000 (omit it for a permanent entry)");
            if (errors.Any) return errors.ToProblem();
            var now = clock.GetUtcNow();
            var row = new BlacklistRow(Ids.New(), network.ToString(), body.Reason ?? "", caller.UserId, now,
                body.DurationSeconds is { } d ? now.AddSeconds(d) : null);
            await store.InsertBlacklistAsync(row);
            await audit.RecordAsync("waf.blacklist.added", row.Id, new { row.Network, row.Reason, row.ExpiresAt });
            await sync.RefreshAsync();
            return Json.Created(View(row, now));
        }).WithSummary("Block an address or range (optionally until a time)").RequirePermission("waf.blacklist.write");

        app.MapGet("/api/v1/blacklist", async Task<JsonOk<BlacklistPage>> ([AsParameters] PageRequest page, WafStore store, TimeProvider clock) =>
        {
            var (rows, total) = await store.ListBlacklistAsync(page.Take, page.Skip);
            var now = clock.GetUtcNow();
            return Json.Ok(new BlacklistPage(rows.Select(r => View(r, now)).ToList(), total, page.Take, page.Skip));
        }).WithSummary("The active blacklist entries").RequirePermission("waf.blacklist.read");

        app.MapDelete("/api/v1/blacklist/{id}", async (string id, WafStore store, EngineSync sync, IAuditLog audit) =>
        {
            if (!await store.DeleteBlacklistAsync(id)) return Results.Problem(statusCode: 404, title: $"Blacklist entry {id} not found");
            await audit.RecordAsync("waf.blacklist.removed", id);
            await sync.RefreshAsync();
            return Results.NoContent();
        }).WithSummary("Take an entry off the blacklist").Produces(StatusCodes.Status204NoContent).RequirePermission("waf.blacklist.write");
    }

    private static BlacklistEntry View(BlacklistRow r, DateTimeOffset now) => new(r.Id, r.Network, r.Reason, "active", r.CreatedAt, r.ExpiresAt,
        r.ExpiresAt is { } e ? Math.Max(0, (long)(e - now).TotalSeconds) : null);
}
