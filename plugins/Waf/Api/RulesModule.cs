using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Matching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

public sealed class RulesModule : ICarterModule
{
    public sealed record NewRule(string? Pattern, string? Action, string? Severity, JsonElement? Target, JsonElement? Targets, string[]? Tags);

    public sealed record BulkRules(List<NewRule>? Rules);

    public sealed record RuleView(
        string Id, string Pattern, string Action, string Severity, string[] Targets, IReadOnlyList<string> Tags, long Hits, string Status, string Source,
        [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt);

    /// <summary>A page of rules; the seed profile's complete list has no <c>limit</c> and <c>offset</c>.</summary>
    public sealed record RuleList(
        List<RuleView> Rules, long Total,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Limit = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Offset = null);

    public sealed record CreatedRule(string Id, string Status, [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public sealed record ImportedRules(int Created, List<string> Ids, string Status);

    public sealed record DeletedRule(string Id, string Status);

    public const int MaxBulk = 10_000;

    /// <summary>Operators' rules are named as in SecBeat's document (<c>rule_…</c>); rules added before keep their ids.</summary>

    /// <summary>Validates one rule; field names get <paramref name="prefix"/> (e.g. <c>rules[3].</c>).</summary>
    private static RuleRow? Validate(NewRule body, string prefix, FieldErrors errors, string? by, DateTimeOffset now, string? patternError = null, bool patternChecked = false)
    {
        var before = errors.ToDictionary().Count;
        if ((patternChecked ? patternError : PatternCompiler.Validate(body.Pattern)) is { } error) errors.Add(prefix + "pattern", error);
        var action = WafRule.ParseAction(body.Action ?? "block");
        errors.Check(action is not null, prefix + "action", "must be block, log or allow");
        var severity = (body.Severity ?? "medium").ToLowerInvariant();
        errors.Check(WafRule.SeverityRank(severity) >= 0, prefix + "severity", "must be low, medium, high or critical");
        var targetField = body.Targets is not null ? "targets" : "target";
        var targets = ParseTargets(body.Targets ?? body.Target);
        errors.Check(targets is not null, prefix + targetField, "must be path, query, headers, body or all (a string or a list)");
        var tags = body.Tags ?? [];
        errors.Check(tags.Length <= 20 && tags.All(t => t is { Length: > 0 and <= 64 } && !t.Contains(',')), prefix + "tags", "must be up to 20 non-empty tags of at most 64 characters without commas");
        if (errors.ToDictionary().Count != before) return null;
        return new RuleRow(RuleIds.Custom + Ids.New(), body.Pattern!, WafRule.ActionName(action!.Value), severity, string.Join(',', WafRule.TargetNames(targets!.Value)),
            string.Join(',', tags), 0, by, now);
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/rules", CreateAsync).WithSummary("Add a rule").RequirePermission("waf.rules.write");
        app.MapPost("/api/v1/rules/bulk", ImportAsync).WithSummary("Add rules in bulk (all or none)").RequirePermission("waf.rules.write");
        app.MapGet("/api/v1/rules", ListAsync).WithSummary("The rules, default and custom").RequirePermission("waf.rules.read");
        app.MapGet("/api/v1/rules/{id}", GetAsync).WithSummary("One rule").RequirePermission("waf.rules.read");
        app.MapDelete("/api/v1/rules/{id}", DeleteAsync).WithSummary("Delete a custom rule or disable a default one").RequirePermission("waf.rules.write");
        app.MapPost("/api/v1/rules/{id}/enable", EnableAsync).WithSummary("Enable a disabled default rule again").TakesNoBody()
            .Produces(StatusCodes.Status204NoContent).RequirePermission("waf.rules.write");
    }

    private static async Task<Results<JsonCreated<CreatedRule>, ValidationProblem>> CreateAsync(Body<NewRule> request, WafStore store, EngineSync sync, ICaller caller,
        IAuditLog audit, TimeProvider clock)
    {
        var errors = new FieldErrors();
        var row = Validate(request.Value, "", errors, caller.UserId, clock.GetUtcNow());
        if (row is null) return errors.ToProblem();
        await store.InsertRuleAsync(row);
        await audit.RecordAsync("waf.rule.created", row.Id, new { row.Pattern, row.Action, row.Severity });
        await sync.RefreshAsync();
        return Json.Created(new CreatedRule(row.Id, "active", row.CreatedAt), $"/api/v1/rules/{row.Id}");
    }

    /// <summary>Not in the seed: imports up to 10,000 rules in one transaction and one engine rebuild.</summary>
    private static async Task<Results<JsonCreated<ImportedRules>, ValidationProblem>> ImportAsync(Body<BulkRules> request, WafStore store, EngineSync sync,
        ICaller caller, IAuditLog audit, TimeProvider clock)
    {
        var body = request.Value;
        var errors = new FieldErrors();
        errors.Check(body.Rules is { Count: > 0 and <= MaxBulk }, "rules", $"must hold 1 to {MaxBulk} rules");
        if (errors.Any) return errors.ToProblem();
        var now = clock.GetUtcNow();
        // compiling a NonBacktracking automaton is the costly part of validation: use every core
        var patternErrors = new string?[body.Rules!.Count];
        Parallel.For(0, patternErrors.Length, i => patternErrors[i] = PatternCompiler.Validate(body.Rules[i]?.Pattern));
        var rows = body.Rules!.Select((r, i) => r is null ? errors.Add($"rules[{i}]", "must be an object") is var _ ? null : null
            : Validate(r, $"rules[{i}].", errors, caller.UserId, now, patternErrors[i], patternChecked: true)).ToList();
        if (errors.Any) return errors.ToProblem();
        await store.InsertRulesAsync(rows!);
        await audit.RecordAsync("waf.rules.imported", $"{rows.Count} rules");
        await sync.RefreshAsync();
        return Json.Created(new ImportedRules(rows.Count, rows.Select(r => r!.Id).ToList(), "active"));
    }

    private static async Task<Results<JsonOk<RuleList>, ValidationProblem>> ListAsync([AsParameters] PageRequest page, WafStore store, WafEngine engine,
        SnapshotBuilder builder, string? source, HttpContext http)
    {
        if (source is not null and not ("custom" or "default" or "crs"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["source"] = ["must be custom, default or crs"] });
        var pending = engine.Counters.PendingRuleHits;
        long Hits(string id, long stored) => stored + (pending.TryGetValue(id, out var p) ? p : 0);
        var states = source == "custom" || source is null && !http.IsSeedProfile() ? null : (await store.ListDefaultRuleStatesAsync()).ToDictionary(s => s.RuleId);
        long StoredHits(string id) => Hits(id, states?.GetValueOrDefault(id)?.Hits ?? 0);
        bool Enabled(string id) => (states?.GetValueOrDefault(id)?.Enabled ?? 1) == 1;
        // the SecLang rules loaded from the configured files (CoreRuleSet, RuleFiles); hits are kept with the default rules' states
        IEnumerable<WafRule> Loaded() => engine.Snapshot.SecLang?.Rules ?? [];

        if (source == "default")
        {
            var setOn = builder.DefaultRuleSetEnabled(await store.LoadConfigAsync());
            var items = DefaultRules.All.Skip(page.Skip).Take(page.Take).Select(r => View(r, StoredHits(r.Id), setOn && Enabled(r.Id), "default", null)).ToList();
            return Json.Ok(new RuleList(items, DefaultRules.All.Count, page.Take, page.Skip));
        }
        if (source == "crs")
        {
            var loaded = Loaded().OrderBy(r => r.Id.Length).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
            var items = loaded.Skip(page.Skip).Take(page.Take).Select(r => View(r, StoredHits(r.Id), true, "crs", null)).ToList();
            return Json.Ok(new RuleList(items, loaded.Count, page.Take, page.Skip));
        }
        if (source is null && http.IsSeedProfile())
        {
            // SecBeat's GET /rules: every active rule (the default set, the CRS, the operator's), and total counts them
            var setOn = builder.DefaultRuleSetEnabled(await store.LoadConfigAsync());
            var defaults = setOn ? DefaultRules.All.Where(r => Enabled(r.Id)).Select(r => View(r, StoredHits(r.Id), true, "default", null)) : [];
            var crs = Loaded().Select(r => View(r, StoredHits(r.Id), true, "crs", null));
            var (custom, _) = await store.ListRulesAsync(int.MaxValue, 0);
            var active = defaults.Concat(crs).Concat(custom.Select(r => View(r.ToRule(), Hits(r.Id, r.Hits), true, "custom", r.CreatedAt))).ToList();
            return Json.Ok(new RuleList(active, active.Count));
        }
        var (rows, total) = await store.ListRulesAsync(page.Take, page.Skip);
        return Json.Ok(new RuleList(rows.Select(r => View(r.ToRule(), Hits(r.Id, r.Hits), true, "custom", r.CreatedAt)).ToList(), total, page.Take, page.Skip));
    }

    private static async Task<Results<JsonOk<RuleView>, ProblemHttpResult>> GetAsync(string id, WafStore store, WafEngine engine)
    {
        var pending = engine.Counters.PendingRuleHits.TryGetValue(id, out var p) ? p : 0;
        if (DefaultRules.All.FirstOrDefault(r => r.Id == id) is { } d)
        {
            var state = (await store.ListDefaultRuleStatesAsync()).FirstOrDefault(s => s.RuleId == id);
            return Json.Ok(View(d, (state?.Hits ?? 0) + pending, (state?.Enabled ?? 1) == 1, "default", null));
        }
        if (engine.Snapshot.SecLang?.Rules.FirstOrDefault(r => r.Id == id) is { } crs)
        {
            var state = (await store.ListDefaultRuleStatesAsync()).FirstOrDefault(s => s.RuleId == id);
            return Json.Ok(View(crs, (state?.Hits ?? 0) + pending, true, "crs", null));
        }
        var row = await store.GetRuleAsync(id);
        if (row is null) return TypedResults.Problem(statusCode: 404, title: $"Rule {id} not found");
        return Json.Ok(View(row.ToRule(), row.Hits + pending, true, "custom", row.CreatedAt));
    }

    private static async Task<Results<JsonOk<DeletedRule>, NoContent, ProblemHttpResult>> DeleteAsync(string id, WafStore store, EngineSync sync, IAuditLog audit,
        HttpContext http)
    {
        if (DefaultRules.All.Any(r => r.Id == id))
            await store.SetDefaultRuleEnabledAsync(id, false); // a default rule is disabled (POST …/enable brings it back)
        else if (!await store.DeleteRuleAsync(id))
            return TypedResults.Problem(statusCode: 404, title: $"Rule {id} not found");
        await audit.RecordAsync("waf.rule.deleted", id);
        await sync.RefreshAsync();
        if (http.IsSeedProfile()) return Json.Ok(new DeletedRule(id, "deleted"));
        return TypedResults.NoContent();
    }

    private static async Task<IResult> EnableAsync(string id, WafStore store, EngineSync sync, IAuditLog audit)
    {
        if (!DefaultRules.All.Any(r => r.Id == id)) return Results.Problem(statusCode: 404, title: $"Default rule {id} not found");
        await store.SetDefaultRuleEnabledAsync(id, true);
        await audit.RecordAsync("waf.rule.enabled", id);
        await sync.RefreshAsync();
        return Results.NoContent();
    }

    private static RuleView View(WafRule r, long hits, bool enabled, string source, DateTimeOffset? createdAt) => new(
        r.Id, r.Pattern, WafRule.ActionName(r.Action), r.Severity, WafRule.TargetNames(r.Targets), r.Tags, hits, enabled ? "active" : "disabled", source, createdAt);

    private static RuleTarget? ParseTargets(JsonElement? value)
    {
        if (value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return RuleTarget.All;
        return value.Value.ValueKind switch
        {
            JsonValueKind.String => WafRule.ParseTargets([value.Value.GetString()!]),
            JsonValueKind.Array when value.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                WafRule.ParseTargets(value.Value.EnumerateArray().Select(e => e.GetString()!).ToList()),
            _ => null,
        };
    }
}
