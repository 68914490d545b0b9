using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>Why a request was blocked, looked up by the request id its client was given.</summary>
public sealed class BlocksModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/blocks", ([AsParameters] PageRequest page, WafEngine engine) =>
        {
            var (items, total) = engine.Blocks.Page(page.Take, page.Skip);
            return Json.Ok(new { blocks = items.Select(View).ToList(), total, limit = page.Take, offset = page.Skip });
        }).WithSummary("Why recent requests were blocked, newest first").RequirePermission("waf.blocks.read");

        app.MapGet("/api/v1/blocks/{requestId}", (string requestId, WafEngine engine) =>
            engine.Blocks.Find(requestId) is { } block
                ? Json.Ok(View(block))
                : Results.Problem(statusCode: 404, title: $"No recent blocked request {requestId}")).WithSummary("One blocked request, by the request id its client was given").RequirePermission("waf.blocks.read");
    }

    private static object View(BlockedRequest b) => new
    {
        request_id = b.RequestId,
        blocked_at = b.At,
        client_ip = b.ClientIp,
        method = b.Method,
        path = b.Path,
        status = b.Status,
        attack_type = b.AttackType,
        rule_id = b.RuleId,
        reason = b.Reason,
    };
}
