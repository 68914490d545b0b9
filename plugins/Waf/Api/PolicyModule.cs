using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class PolicyModule : ICarterModule
{
    public sealed record NewPolicy(string? Name, List<PolicyRule>? Rules);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/policy", async (Body<NewPolicy> request, WafStore store, EngineSync sync, WafEngine engine, ICaller caller, IAuditLog audit, WafOptions options, TimeProvider clock) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            errors.Check(body.Name is { Length: > 0 and <= 100 } && body.Name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'), "name",
                "is required: 1 to 100 letters, digits, '-', '_' or '.'");
            errors.AddRange(EffectivePolicy.Validate(body.Rules));
            for (var i = 0; i < (body.Rules?.Count ?? 0); i++)
                if (body.Rules![i]?.Type == "geo_block" && engine.GeoBlockUnavailable is { } why) errors.Add($"rules[{i}].countries", why);
            if (errors.Any) return errors.ToProblem();
            var row = await store.DeployPolicyAsync(body.Name!, body.Rules!, caller.UserId);
            await audit.RecordAsync("waf.policy.deployed", row.Name, new { rules = body.Rules });
            await sync.RefreshAsync();
            return Json.Created(new
            {
                id = row.Id,
                name = row.Name,
                status = "deployed",
                rules = row.Rules,
                deployed_at = row.DeployedAt,
                config_version = await store.GetVersionAsync(),
                nodes = await NodesModule.HealthyNodesAsync(store, options, clock),
            });
        }).WithSummary("Create or replace a named policy and make it the active one").RequirePermission("waf.policy.write");

        app.MapGet("/api/v1/policy", async (WafStore store) =>
        {
            var policies = await store.ListPoliciesAsync();
            return Json.Ok(new
            {
                policies = policies.Select((p, i) => new { id = p.Id, name = p.Name, rules = p.Rules, active = i == 0, deployed_at = p.DeployedAt, created_at = p.CreatedAt }).ToList(),
                total = policies.Count,
            });
        }).WithSummary("The policies, the active one marked").RequirePermission("waf.policy.read");
    }
}
