using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Waf.Data;
using Edgeplane.Plugins.Waf.Engine;
using Edgeplane.Plugins.Waf.Fleet;
using Edgeplane.Plugins.Waf.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Waf.Api;

/// <summary>The orchestrator's nodes: the list, registration and credentials, and the node protocol (configuration pull, heartbeats).</summary>
public sealed class NodesModule : ICarterModule
{
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

    private static readonly string NodeProtocol = $"Authenticated by the node's credential in {NodeAuth.Header}";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/nodes", ListAsync).WithSummary("The WAF nodes and their last heartbeats").RequirePermission("waf.nodes.read");
        app.MapPost("/api/v1/nodes", RegisterAsync).WithSummary("Register a node and issue its credential (shown once)").RequirePermission("waf.nodes.write");
        app.MapDelete("/api/v1/nodes/{id}/credentials", RevokeAsync).WithSummary("Revoke a node's credential").Produces(StatusCodes.Status204NoContent)
            .RequirePermission("waf.nodes.write");
        app.MapGet("/api/v1/nodes/config", ConfigAsync).WithSummary("The configuration a node runs (node protocol)").AllowAnonymous()
            .WithDescription(NodeProtocol + ", or an API key with waf.nodes.write.");
        app.MapPost("/api/v1/nodes/{id}/heartbeat", HeartbeatAsync).WithSummary("A node's heartbeat with its counters (node protocol)").AllowAnonymous()
            .WithDescription(NodeProtocol + " (for its own id only), or an API key with waf.nodes.write.");
    }

    private static async Task<JsonOk<NodeList>> ListAsync(WafStore store, WafOptions options, WafStatus status, EngineSync sync, TimeProvider clock)
    {
        var nodes = (await store.ListNodesAsync())
            .Select(n => new NodeView(n.Id, n.Address, n.Status, n.Mode, n.LoadFactor, n.ConfigVersion, n.LastHeartbeatAt, n.RegisteredAt)).ToList();
        if (NodeCount.RunsProxy(options))
            nodes.Insert(0, new NodeView(options.NodeId, options.Proxy.Listen, "healthy", options.Mode, Math.Round(status.CpuPercent() / 100, 3),
                sync.AppliedVersion, clock.GetUtcNow(), RegisteredAt: null));
        return Json.Ok(new NodeList(nodes));
    }

    /// <summary>Issues the node's own credential (shown once; only its hash is stored); again for the same id rotates it.</summary>
    private static async Task<Results<JsonCreated<IssuedCredential>, ValidationProblem>> RegisterAsync(Body<NodeRegistration> request, WafStore store, ICaller caller,
        IAuditLog audit, TimeProvider clock)
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
    }

    private static async Task<IResult> RevokeAsync(string id, WafStore store, IAuditLog audit)
    {
        var revoked = await store.RevokeNodeCredentialsAsync(id);
        if (revoked == 0) return Results.Problem(statusCode: 404, title: $"Node {id} has no live credential");
        await audit.RecordAsync("waf.node.revoked", id, new { revoked });
        return Results.NoContent();
    }

    /// <summary>What a node pulls: the whole enforced configuration, with the version as ETag.</summary>
    private static async Task<Results<JsonOk<WafConfig>, StatusCodeHttpResult, ProblemHttpResult>> ConfigAsync(HttpRequest http, WafStore store, ICaller caller,
        WafOptions options)
    {
        if ((await NodeAuth.CheckAsync(http, caller, store, options)).Problem is { } denied) return denied;
        var version = await store.GetVersionAsync();
        var etag = $"\"{version}\"";
        if (http.Headers.IfNoneMatch.Contains(etag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        var config = await store.LoadConfigAsync();
        http.HttpContext.Response.Headers.ETag = $"\"{config.Version}\"";
        return new JsonOk<WafConfig>(config, JsonSerializerOptions.Web);
    }

    private static async Task<Results<JsonOk<HeartbeatAnswer>, ValidationProblem, ProblemHttpResult>> HeartbeatAsync(string id, Body<Heartbeat> request,
        HttpRequest http, WafStore store, HeartbeatIntake intake, ICaller caller, WafOptions options)
    {
        var (denied, node) = await NodeAuth.CheckAsync(http, caller, store, options);
        if (denied is not null) return denied;
        if (node is not null && node != id)
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: $"The credential of node {node} cannot report for node {id}");
        var beat = request.Value;
        if (Check(id, beat) is { Any: true } errors) return errors.ToProblem();
        var status = await intake.RecordAsync(id, beat);
        return Json.Ok(new HeartbeatAnswer(id, status, await store.GetVersionAsync()));
    }

    private static FieldErrors Check(string id, Heartbeat beat)
    {
        var errors = new FieldErrors();
        errors.Check(id.Length is > 0 and <= 100, "id", "must be 1 to 100 characters");
        errors.Check(beat.Load is >= 0 and <= 1000, "load", "must be between 0 and 1000");
        errors.Check(beat.Address is null || beat.Address.Length <= 200, "address", "must be at most 200 characters");
        var raised = beat.Events ?? [];
        errors.Check(raised.Count <= OrchestratorOutbox.MaxPerHeartbeat, "events", $"at most {OrchestratorOutbox.MaxPerHeartbeat} per heartbeat");
        errors.Check(raised.All(e => e is { Id.Length: > 0 and <= 26, Event: "attack_detected" or "rule_triggered" } && e.Data.ValueKind == JsonValueKind.Object), "events",
            "each needs an id of 1 to 26 characters, an event attack_detected or rule_triggered, and a data object");
        if (beat.Address is { Length: > 0 and <= 200 } address && CheckNodeAddress(address) is { } addressError) errors.Add("address", addressError);
        return errors;
    }
}
