using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class PolicyModule : ICarterModule
{
    public sealed record NewPolicy(string? Name, List<PolicyRule>? Rules);

    public sealed record DeployedPolicy(
        string Id, string Name, string Status, IReadOnlyList<PolicyRule> Rules,
        [property: JsonPropertyName("deployed_at")] DateTimeOffset DeployedAt,
        [property: JsonPropertyName("config_version")] long ConfigVersion,
        int Nodes);

    public sealed record PolicyView(
        string Id, string Name, IReadOnlyList<PolicyRule> Rules, bool Active,
        [property: JsonPropertyName("deployed_at")] DateTimeOffset DeployedAt,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public sealed record PolicyList(List<PolicyView> Policies, int Total);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/policy", async Task<Results<JsonCreated<DeployedPolicy>, ValidationProblem>> (Body<NewPolicy> request, WafStore store, EngineSync sync, WafEngine engine, ICaller caller, IAuditLog audit, WafOptions options, TimeProvider clock) =>
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
            return Json.Created(new DeployedPolicy(row.Id, row.Name, "deployed", row.Rules, row.DeployedAt,
                await store.GetVersionAsync(), await NodeCount.HealthyAsync(store, options, clock)));
        }).WithSummary("Create or replace a named policy and make it the active one").RequirePermission("waf.policy.write");

        app.MapGet("/api/v1/policy", async Task<JsonOk<PolicyList>> (WafStore store) =>
        {
            var policies = await store.ListPoliciesAsync();
            return Json.Ok(new PolicyList(policies.Select((p, i) => new PolicyView(p.Id, p.Name, p.Rules, Active: i == 0, p.DeployedAt, p.CreatedAt)).ToList(), policies.Count));
        }).WithSummary("The policies, the active one marked").RequirePermission("waf.policy.read");
    }
}
