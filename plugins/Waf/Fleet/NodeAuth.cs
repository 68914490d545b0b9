using Edgeplane.Plugins.Waf.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edgeplane.Plugins.Waf.Fleet;

/// <summary>
/// Who may use the node protocol (<c>GET /api/v1/nodes/config</c>, <c>POST /api/v1/nodes/{id}/heartbeat</c>):
/// a node presenting its own credential in <see cref="Header"/> (issued by <c>POST /api/v1/nodes</c>, stored
/// as a SHA-256 hash, revocable), or — unless <c>NodeCredentialsOnly</c> — a host credential holding
/// <c>waf.nodes.write</c> (an operator's key or session, for tools).
/// </summary>
public static class NodeAuth
{
    public const string Header = "X-Waf-Node-Key";
    public const string CredentialPrefix = "wafnode_";

    /// <summary>A problem to answer, or the authenticated node (null node id: a host credential, any node).</summary>
    public static async Task<(ProblemHttpResult? Problem, string? NodeId)> CheckAsync(HttpRequest http, ICaller caller, WafStore store, WafOptions options)
    {
        if (http.Headers.TryGetValue(Header, out var value) && value.ToString() is { Length: > 0 } key)
        {
            var node = key.Length <= 200 ? await store.NodeOfCredentialAsync(Secrets.Hash(key)) : null;
            return node is null ? (Problem(401, "Unauthorized", $"The node credential in {Header} is unknown or revoked"), null) : (null, node);
        }
        if (!caller.IsAuthenticated)
            return (Problem(401, "Unauthorized", $"A node credential ({Header}) or an API key with waf.nodes.write is required"), null);
        if (options.NodeCredentialsOnly)
            return (Problem(403, "Forbidden", $"This orchestrator accepts only node credentials ({Header}) on the node protocol"), null);
        if (!caller.Has("waf.nodes.write"))
            return (Problem(403, "Forbidden", "Permission waf.nodes.write is required"), null);
        return (null, null);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
