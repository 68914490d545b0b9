using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>Threats over this host and every node: active threats, top attackers, attack types.</summary>
public sealed class ThreatsModule : ICarterModule
{
    public sealed record AttackerView(string Ip, long Attacks);

    public sealed record ThreatsView(
        [property: JsonPropertyName("active_threats")] int ActiveThreats,
        [property: JsonPropertyName("top_attackers")] List<AttackerView> TopAttackers,
        [property: JsonPropertyName("attack_types")] Dictionary<string, long> AttackTypes);

    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/threats", ThreatsAsync).WithSummary("Active threats, top attackers and attack types over this host and every node")
            .RequirePermission("waf.nodes.read");

    private static async Task<JsonOk<ThreatsView>> ThreatsAsync(WafStore store, WafEngine engine, WafOptions options)
    {
        var attackers = new Dictionary<string, long>();
        var types = new Dictionary<string, long>();
        var active = 0;
        void Add(NodeStats s)
        {
            foreach (var a in s.TopAttackers ?? []) attackers[a.Ip] = attackers.GetValueOrDefault(a.Ip) + a.Attacks;
            foreach (var (t, n) in s.AttackTypes ?? []) types[t] = types.GetValueOrDefault(t) + n;
            active += s.ActiveThreats;
        }
        var c = engine.Counters;
        Add(new NodeStats(c.Inspected, c.Blocked, 0, c.TopAttackers(20).Select(a => new Attacker(a.Key, a.Value)).ToList(), c.AttackTypes.ToDictionary(),
            c.ActiveThreats(TimeSpan.FromMinutes(5))));
        foreach (var node in await store.ListNodesAsync())
        {
            if (node.Id == options.NodeId) continue;
            if (JsonSerializer.Deserialize<NodeStats>(node.StatsJson, JsonSerializerOptions.Web) is { } s) Add(s);
        }
        var top = attackers.OrderByDescending(a => a.Value).ThenBy(a => a.Key).Take(10).Select(a => new AttackerView(a.Key, a.Value)).ToList();
        return Json.Ok(new ThreatsView(active, top, types));
    }
}
