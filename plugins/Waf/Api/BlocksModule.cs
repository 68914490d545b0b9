using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>Why a request was blocked, looked up by the request id its client was given.</summary>
public sealed class BlocksModule : ICarterModule
{
    public sealed record BlockView(
        [property: JsonPropertyName("request_id")] string RequestId,
        [property: JsonPropertyName("blocked_at")] DateTimeOffset BlockedAt,
        [property: JsonPropertyName("client_ip")] string? ClientIp,
        string Method, string Path, int Status,
        [property: JsonPropertyName("attack_type")] string? AttackType,
        [property: JsonPropertyName("rule_id")] string? RuleId,
        string? Reason);

    public sealed record BlockPage(List<BlockView> Blocks, int Total, int Limit, int Offset);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/blocks", JsonOk<BlockPage> ([AsParameters] PageRequest page, WafEngine engine) =>
        {
            var (items, total) = engine.Blocks.Page(page.Take, page.Skip);
            return Json.Ok(new BlockPage(items.Select(View).ToList(), total, page.Take, page.Skip));
        }).WithSummary("Why recent requests were blocked, newest first").RequirePermission("waf.blocks.read");

        app.MapGet("/api/v1/blocks/{requestId}", Results<JsonOk<BlockView>, ProblemHttpResult> (string requestId, WafEngine engine) =>
            engine.Blocks.Find(requestId) is { } block
                ? Json.Ok(View(block))
                : TypedResults.Problem(statusCode: 404, title: $"No recent blocked request {requestId}")).WithSummary("One blocked request, by the request id its client was given").RequirePermission("waf.blocks.read");
    }

    private static BlockView View(BlockedRequest b) => new(b.RequestId, b.At, b.ClientIp, b.Method, b.Path, b.Status, b.AttackType, b.RuleId, b.Reason);
}
