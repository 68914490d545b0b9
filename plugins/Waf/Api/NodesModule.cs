using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Network;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Fleet;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>The orchestrator API: nodes, their configuration pull and heartbeats, scaling, threats.</summary>
public sealed class NodesModule : ICarterModule
{
    public sealed record ScaleRequest(string? Action, int? Count);

    /// <summary>
    /// A node's address: its proxy's listen URL (<c>http://127.0.0.1:8080</c>, what nodes send) or <c>host[:port]</c>, the
    /// host read from the text as written (a parsed <see cref="Uri"/> has already turned <c>0x7f.0.0.1</c> into 127.0.0.1).
    /// </summary>
    internal static string? CheckNodeAddress(string address)
    {
        var scheme = address.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return IpText.CheckHostAndPort(address);
        if (address[..scheme] is not ("http" or "https")) return "must be an http(s) URL or host[:port]";
        var authority = address[(scheme + 3)..];
        return IpText.CheckHostAndPort(authority.IndexOf('/') is var slash and >= 0 ? authority[..slash] : authority);
    }
    public sealed record NodeRegistration(string? Id);

    public sealed record NodeView(
        string Id, string Address, string Status, string Mode, double Load,
        [property: JsonPropertyName("config_version")] long ConfigVersion,
        [property: JsonPropertyName("last_heartbeat_at")] DateTimeOffset LastHeartbeatAt,
        [property: JsonPropertyName("registered_at")] DateTimeOffset? RegisteredAt);

    public sealed record NodeList(List<NodeView> Nodes);

    public sealed record IssuedCredential(
        string Id, string Credential, [property: JsonPropertyName("credential_id")] string CredentialId, string Header,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public sealed record HeartbeatAnswer(string Id, string Status, [property: JsonPropertyName("config_version")] long ConfigVersion);

    public sealed record ScaleView(
        string Id, string Action, long Count,
        [property: JsonPropertyName("current_nodes")] int CurrentNodes,
        [property: JsonPropertyName("desired_nodes")] int DesiredNodes,
        string Status,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

    public sealed record AttackerView(string Ip, long Attacks);

    public sealed record ThreatsView(
        [property: JsonPropertyName("active_threats")] int ActiveThreats,
        [property: JsonPropertyName("top_attackers")] List<AttackerView> TopAttackers,
        [property: JsonPropertyName("attack_types")] Dictionary<string, long> AttackTypes);

    /// <summary>
    /// The nodes enforcing traffic now: registered nodes whose last heartbeat is healthy and recent, and this
    /// host when it runs the proxy itself (as <c>GET /nodes</c> lists it).
    /// </summary>
    internal static async Task<int> HealthyNodesAsync(WafStore store, WafOptions options, TimeProvider clock)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromSeconds(options.NodeHealthTimeoutSeconds);
        var nodes = (await store.ListNodesAsync()).Count(n => n.Id != options.NodeId && n.Status == "healthy" && n.LastHeartbeatAt >= cutoff);
        return nodes + (RunsProxy(options) ? 1 : 0);
    }

    private static bool RunsProxy(WafOptions options) => !options.IsNode && options.Proxy.Enabled && !string.IsNullOrEmpty(options.Proxy.Upstream);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/nodes", async Task<JsonOk<NodeList>> (WafStore store, WafOptions options, WafStatus status, EngineSync sync, TimeProvider clock) =>
        {
            var nodes = (await store.ListNodesAsync())
                .Select(n => new NodeView(n.Id, n.Address, n.Status, n.Mode, n.LoadFactor, n.ConfigVersion, n.LastHeartbeatAt, n.RegisteredAt)).ToList();
            if (RunsProxy(options))
                nodes.Insert(0, new NodeView(options.NodeId, options.Proxy.Listen, "healthy", options.Mode, Math.Round(status.CpuPercent() / 100, 3),
                    sync.AppliedVersion, clock.GetUtcNow(), RegisteredAt: null));
            return Json.Ok(new NodeList(nodes));
        }).WithSummary("The WAF nodes and their last heartbeats").RequirePermission("waf.nodes.read");

        // what a node pulls: the whole enforced configuration, with the version as ETag
        // registration: issues the node's own credential (shown once; only its hash is stored); again for the same id rotates it
        app.MapPost("/api/v1/nodes", async Task<Results<JsonCreated<IssuedCredential>, ValidationProblem>> (Body<NodeRegistration> request, WafStore store, ICaller caller, IAuditLog audit, TimeProvider clock) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            errors.Check(body.Id is { Length: > 0 and <= 100 } && body.Id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'), "id",
                "must be 1 to 100 letters, digits, '-', '_' or '.'");
            if (errors.Any) return errors.ToProblem();
            var credential = Secrets.Generate(NodeAuth.CredentialPrefix);
            var credentialId = await store.IssueNodeCredentialAsync(body.Id!, Secrets.Hash(credential), caller.UserId);
            await audit.RecordAsync("waf.node.registered", body.Id!, new { credential_id = credentialId });
            return Json.Created(new IssuedCredential(body.Id!, credential, credentialId, NodeAuth.Header, clock.GetUtcNow()));
        }).WithSummary("Register a node and issue its credential (shown once)").RequirePermission("waf.nodes.write");

        app.MapDelete("/api/v1/nodes/{id}/credentials", async (string id, WafStore store, IAuditLog audit) =>
        {
            var revoked = await store.RevokeNodeCredentialsAsync(id);
            if (revoked == 0) return Results.Problem(statusCode: 404, title: $"Node {id} has no live credential");
            await audit.RecordAsync("waf.node.revoked", id, new { revoked });
            return Results.NoContent();
        }).WithSummary("Revoke a node's credential").Produces(StatusCodes.Status204NoContent).RequirePermission("waf.nodes.write");

        app.MapGet("/api/v1/nodes/config", async Task<Results<JsonOk<WafConfig>, StatusCodeHttpResult, ProblemHttpResult>> (HttpRequest http, WafStore store, ICaller caller, WafOptions options) =>
        {
            if ((await NodeAuth.CheckAsync(http, caller, store, options)).Problem is { } denied) return denied;
            var version = await store.GetVersionAsync();
            var etag = $"\"{version}\"";
            if (http.Headers.IfNoneMatch.Contains(etag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            var config = await store.LoadConfigAsync();
            http.HttpContext.Response.Headers.ETag = $"\"{config.Version}\"";
            return new JsonOk<WafConfig>(config, JsonSerializerOptions.Web);
        }).WithSummary("The configuration a node runs (node protocol)").AllowAnonymous().WithDescription($"Authenticated by the node's credential in {NodeAuth.Header}, or an API key with waf.nodes.write.");

        app.MapPost("/api/v1/nodes/{id}/heartbeat", async Task<Results<JsonOk<HeartbeatAnswer>, ValidationProblem, ProblemHttpResult>> (string id, Body<Heartbeat> request, HttpRequest http, WafStore store, WebhookEvents events, ICaller caller, WafOptions options, TimeProvider clock) =>
        {
            var (denied, node) = await NodeAuth.CheckAsync(http, caller, store, options);
            if (denied is not null) return denied;
            if (node is not null && node != id)
                return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: $"The credential of node {node} cannot report for node {id}");
            var beat = request.Value;
            var errors = new FieldErrors();
            errors.Check(id.Length is > 0 and <= 100, "id", "must be 1 to 100 characters");
            errors.Check(beat.Load is >= 0 and <= 1000, "load", "must be between 0 and 1000");
            errors.Check(beat.Address is null || beat.Address.Length <= 200, "address", "must be at most 200 characters");
            var raised = beat.Events ?? [];
            errors.Check(raised.Count <= OrchestratorOutbox.MaxPerHeartbeat, "events", $"at most {OrchestratorOutbox.MaxPerHeartbeat} per heartbeat");
            errors.Check(raised.All(e => e is { Id.Length: > 0 and <= 26, Event: "attack_detected" or "rule_triggered" } && e.Data.ValueKind == JsonValueKind.Object), "events",
                "each needs an id of 1 to 26 characters, an event attack_detected or rule_triggered, and a data object");
            if (beat.Address is { Length: > 0 and <= 200 } address && CheckNodeAddress(address) is { } addressError) errors.Add("address", addressError);
            if (errors.Any) return errors.ToProblem();
            var now = clock.GetUtcNow();
            var existing = await store.GetNodeAsync(id);
            var status = beat.Status is "healthy" or "degraded" ? beat.Status : "healthy";
            await store.UpsertNodeAsync(new NodeRow(id, beat.Address ?? "", beat.Mode ?? "l7", status, beat.Load, beat.ConfigVersion,
                JsonSerializer.Serialize(beat.Stats, JsonSerializerOptions.Web), existing?.RegisteredAt ?? now, now));
            if (beat.RuleHits is { Count: > 0 } hits) await store.AddHitsAsync(hits);
            // the node's webhook events, each once even when a heartbeat is sent again
            foreach (var e in raised)
            {
                if (!await store.TryRecordNodeEventAsync(e.Id, id, e.Event)) continue;
                try
                {
                    await events.DeliverAsync(e.Event, WebhookEvents.Payload(e.Event, e.Timestamp, id, e.Data));
                }
                catch
                {
                    await store.ForgetNodeEventAsync(e.Id);
                    throw;
                }
            }
            if (existing is null || existing.Status != status)
                events.Publish("node_health", new { node = id, address = beat.Address, status, previous_status = existing?.Status });
            return Json.Ok(new HeartbeatAnswer(id, status!, await store.GetVersionAsync()));
        }).WithSummary("A node's heartbeat with its counters (node protocol)").AllowAnonymous().WithDescription($"Authenticated by the node's credential in {NodeAuth.Header} (for its own id only), or an API key with waf.nodes.write.");

        app.MapPost("/api/v1/scale", async Task<Results<JsonAccepted<ScaleView>, ValidationProblem>> (Body<ScaleRequest> request, WafStore store, IEventPublisher publisher, ICaller caller, IAuditLog audit, WafOptions options, TimeProvider clock) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            errors.Check(body.Action is "scale_up" or "scale_down", "action", "must be scale_up or scale_down");
            errors.Check(body.Count is >= 1 and <= 1000, "count", "must be between 1 and 1000");
            if (errors.Any) return errors.ToProblem();
            var current = await HealthyNodesAsync(store, options, clock);
            var desired = (int)Math.Max(0, body.Action == "scale_up" ? current + body.Count!.Value : current - body.Count!.Value);
            var row = new ScaleRow(Ids.New(), body.Action!, body.Count!.Value, desired, caller.UserId, clock.GetUtcNow());
            await store.InsertScaleRequestAsync(row);
            await audit.RecordAsync("waf.scale.requested", row.Id, new { row.Action, count = row.NodeCount, desired_nodes = desired });
            await publisher.PublishAsync(new ScaleRequested(row.Id, row.Action, row.NodeCount, current, desired), caller.TeamId);
            return Json.Accepted(new ScaleView(row.Id, row.Action, row.NodeCount, current, desired, "requested", row.CreatedAt));
        }).WithSummary("Request scaling up or down by a number of nodes").RequirePermission("waf.nodes.write");

        app.MapGet("/api/v1/threats", async Task<JsonOk<ThreatsView>> (WafStore store, WafEngine engine, WafOptions options) =>
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
            Add(new NodeStats(c.Inspected, c.Blocked, 0, c.TopAttackers(20).Select(a => new Attacker(a.Key, a.Value)).ToList(), c.AttackTypes.ToDictionary(), c.ActiveThreats(TimeSpan.FromMinutes(5))));
            foreach (var node in await store.ListNodesAsync())
            {
                if (node.Id == options.NodeId) continue;
                if (JsonSerializer.Deserialize<NodeStats>(node.StatsJson, JsonSerializerOptions.Web) is { } s) Add(s);
            }
            return Json.Ok(new ThreatsView(active, attackers.OrderByDescending(a => a.Value).ThenBy(a => a.Key).Take(10).Select(a => new AttackerView(a.Key, a.Value)).ToList(), types));
        }).WithSummary("Active threats, top attackers and attack types over this host and every node").RequirePermission("waf.nodes.read");
    }
}
